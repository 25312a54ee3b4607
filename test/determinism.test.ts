import * as path from 'path';
import { configWith, synthesize } from './helpers/app';
import { templateFiles } from './helpers/template-files';

/**
 * Values that look like a moment in time: an ISO date (2026-11-29, also as
 * 2026-11-29T01:12:44Z), or a Unix time in seconds (10 digits, 2020..2036) or
 * milliseconds (13 digits, same years). Account IDs are 12 digits and do not match.
 */
const TIMESTAMP = /\b(?:(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?=T\d|\b)|(?:1[6-9]|20)\d{8}(?:\d{3})?\b)/;

/** The grammar versions of IAM policies and of templates: dates, but fixed ones. */
const FIXED_VERSIONS = /"(?:Version|AWSTemplateFormatVersion)":\s*"(?:2012-10-17|2010-09-09)"/g;

/** The first timestamp-like value in `text`, if any. */
function findTimestamp(text: string): string | undefined {
  return TIMESTAMP.exec(text.replace(FIXED_VERSIONS, ''))?.[0];
}

const config = configWith((raw) => (raw.replicaRegions = ['eu-west-1', 'ap-southeast-2']));
const first = templateFiles(synthesize(config).app.outdir);
const second = templateFiles(synthesize(config).app.outdir);

describe('synthesis is deterministic', () => {
  test('finds the pipeline, support, primary and replica templates, in nested stage assemblies too', () => {
    expect([...first.keys()].map((f) => f.replace(/[0-9A-F]{8}\.template\.json$/, '.template.json'))).toEqual([
      'Pipeline.template.json',
      'assembly-Pipeline-Primary/PipelinePrimaryKeyStack.template.json',
      'assembly-Pipeline-Replica-ap-southeast-2/PipelineReplicaapsoutheast2KeyStack.template.json',
      'assembly-Pipeline-Replica-eu-west-1/PipelineReplicaeuwest1KeyStack.template.json',
      'cross-region-stack-111111111111_ap-southeast-2.template.json',
      'cross-region-stack-111111111111_eu-west-1.template.json',
    ]);
  });

  test('two synths in fresh apps write byte-identical templates', () => {
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [file, content] of first) {
      expect({ file, identical: content.equals(second.get(file)!) }).toEqual({ file, identical: true });
    }
  });

  test('no template holds a timestamp', () => {
    const found = [...first].flatMap(([file, content]) => {
      const timestamp = findTimestamp(content.toString('utf8'));
      return timestamp ? [`${file}: ${timestamp}`] : [];
    });
    expect(found).toEqual([]);
  });

  test.each([
    ['2026-11-29', true],
    ['"at":"2026-11-29T01:12:44Z"', true],
    ['1764374400', true],
    ['1764374400000', true],
    ['"Version": "2012-10-17"', false],
    ['arn:aws:iam::111111111111:root', false],
    ['"RetentionInDays":365', false],
    ['c3f88977432d8e7c1b8a53858c1e7d4f7efeaf116ccc459046998aaf1065afa4', false],
  ])('the timestamp pattern on %s: %s', (text, matches) => {
    expect(findTimestamp(text) !== undefined).toBe(matches);
  });
});

describe('a new source commit', () => {
  const withCommit = templateFiles(synthesize(config, { sourceVersion: '0123456789abcdef0123456789abcdef01234567' }).app.outdir);
  const changed = [...first.keys()].filter((file) => !first.get(file)!.equals(withCommit.get(file)!));

  test('changes only the replica stack templates', () => {
    expect(changed.map((f) => path.dirname(f))).toEqual([
      'assembly-Pipeline-Replica-ap-southeast-2',
      'assembly-Pipeline-Replica-eu-west-1',
    ]);
  });

  test.each(['ap-southeast-2', 'eu-west-1'])('changes only the reader SourceVersion in the %s replica stack', (region) => {
    const file = changed.find((f) => f.startsWith(`assembly-Pipeline-Replica-${region}/`))!;
    const before = JSON.parse(first.get(file)!.toString('utf8'));
    const after = JSON.parse(withCommit.get(file)!.toString('utf8'));
    const readers = Object.entries<any>(after.Resources).filter(([, r]) => r.Type === 'Custom::CrossRegionParameterReader');
    expect(readers.map(([, r]) => r.Properties.SourceVersion)).toEqual(['0123456789abcdef0123456789abcdef01234567']);
    expect(before.Resources[readers[0][0]].Properties.SourceVersion).toBe('local');
    after.Resources[readers[0][0]].Properties.SourceVersion = 'local';
    expect(after).toEqual(before);
  });
});

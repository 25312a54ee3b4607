import * as fs from 'fs';
import * as path from 'path';

/** Every `*.template.json` of a cloud assembly, nested stage assemblies included, by path relative to `outdir`. */
export function templateFiles(outdir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.template.json')) files.set(path.relative(outdir, full), fs.readFileSync(full));
    }
  };
  walk(outdir);
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

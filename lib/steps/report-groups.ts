import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';

/** A buildspec fragment that publishes a JUnit file to a report group. */
export function junitReport(group: codebuild.IReportGroup, file: string): codebuild.BuildSpec {
  const slash = file.lastIndexOf('/');
  return codebuild.BuildSpec.fromObject({
    reports: {
      [group.reportGroupArn]: {
        files: [file.slice(slash + 1)],
        'base-directory': file.slice(0, slash),
        'file-format': 'JUNITXML',
      },
    },
  });
}

/** Lets a CodeBuild project write reports into one report group. */
export function reportWriteStatement(group: codebuild.IReportGroup): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases'],
    resources: [group.reportGroupArn],
  });
}

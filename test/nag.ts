/**
 * Runs the four compliance packs over an app with cdk-nag 2.x (Aspects + Annotations)
 * and 3.x (`validateScope`, the route that works on aws-cdk-lib 2.257) and returns
 * every unacknowledged finding, as `<major> <rule> <path>` lines.
 */
import { App, Aspects, IAspect, Stage } from 'aws-cdk-lib';
import * as nag2 from 'cdk-nag';
// eslint-disable-next-line import/no-extraneous-dependencies
import * as nag3 from 'cdk-nag-v3';
import { IConstruct } from 'constructs';

export const PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** Findings of cdk-nag 2.x. Call on a fresh app, before anything else synthesizes it. */
export function nagV2Findings(app: App): string[] {
  const packs: IAspect[] = [
    new nag2.AwsSolutionsChecks(), new nag2.NIST80053R5Checks(), new nag2.HIPAASecurityChecks(), new nag2.PCIDSS321Checks(),
  ];
  for (const pack of packs) Aspects.of(app).add(pack);
  const assembly = app.synth({ force: true });
  const findings: string[] = [];
  for (const stack of assembly.stacks) {
    for (const type of ['aws:cdk:error', 'aws:cdk:warning']) {
      for (const entry of stack.findMetadataByType(type)) {
        const text = String(entry.data);
        const rule = [...PACKS, 'CdkNagValidationFailure'].map(p => text.match(new RegExp(`^(${p.replace(/\./g, '\\.')}(-[A-Za-z0-9]+)?(\\[[^\\]]*\\])?)`))).find(m => m);
        if (rule) findings.push(`v2 ${rule[1]} ${entry.path}`);
      }
    }
  }
  return findings.sort();
}

/** Findings of cdk-nag 3.x over every stage of the app. */
export function nagV3Findings(scope: IConstruct): string[] {
  const packs = [
    new nag3.AwsSolutionsChecks(), new nag3.NIST80053R5Checks(), new nag3.HIPAASecurityChecks(), new nag3.PCIDSS321Checks(),
  ];
  const findings: string[] = [];
  for (const pack of packs) {
    const report = pack.validateScope(scope);
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        findings.push(`v3 ${violation.ruleName} ${resource.constructPath}`);
      }
    }
  }
  return findings.sort();
}

/** Both majors' findings; the app is synthesized by the 2.x run. */
export function nagFindings(app: App): string[] {
  const v3 = nagV3Findings(app);
  const v2 = nagV2Findings(app);
  return [...v2, ...v3];
}

export function isStage(x: IConstruct): x is Stage {
  return Stage.isStage(x);
}

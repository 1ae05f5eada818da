import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LicenseActivationStack } from './license-activation-stack.js';
import { readStageConfig } from './stage-config.js';

const app = new App();
const config = readStageConfig(app.node);
new LicenseActivationStack(app, `LicenseActivation-${config.stage}`, {
  config,
  description: `License activation backend (${config.stage})`,
  tags: { service: 'license-activation', stage: config.stage },
});
// Synthesis fails on any finding that is neither fixed nor acknowledged with a reason (cdk/nag-suppressions.ts).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

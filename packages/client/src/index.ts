/**
 * The on-prem licensing client: what a vendor embeds in its product. See docs/CLIENT.md.
 */
export { LicenseClient } from './license-client.js';
export type { ActingAccount, ActivationAnswer, InstallationAnswer, LicenseClientOptions, MachineFacts, SignInCode, TokenAnswer, TrialAnswer } from './license-client.js';
export { evaluateLicenseStatus, isCapabilityAllowed } from './license-status.js';
export type { LicenseStatus, StatusInput, StatusReason, StatusWarning } from './license-status.js';
export { verifyLicenseToken } from './verify-license-token.js';
export type { TokenExpectations, TokenProblem, TokenVerification } from './verify-license-token.js';
export { TrustedKeys } from './trusted-keys.js';
export type { KeySetDocument } from './trusted-keys.js';
export { LicenseClientError, LicenseNetworkError } from './errors.js';
export type { ClientErrorCode, LicenseClientErrorDetails } from './errors.js';
export { fileKeyStore, installationIdOf } from './installation-key.js';
export type { InstallationKey, KeyStore } from './installation-key.js';
export { detectVirtualization, machineFingerprint, systemProbes } from './machine-facts.js';
export type { CommandResult, FingerprintSource, MachineFingerprint, MachineProbes, Virtualization } from './machine-facts.js';
export { backoffDelayMs, heartbeatDelayMs, startHeartbeatLoop, systemScheduler } from './heartbeat-loop.js';
export type { BackoffOptions, HeartbeatLoop, HeartbeatLoopOptions, HeartbeatTarget, RefreshDue, RetryPlan, Scheduler } from './heartbeat-loop.js';
export { createActivationRequest, licenseFileToken } from './license-file.js';
export { systemClock } from './clock.js';
export { sparkline, usageLine } from './usage-sparkline.js';
export type { Clock } from './clock.js';

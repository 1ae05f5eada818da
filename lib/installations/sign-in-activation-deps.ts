import { config } from '../platform/config.js';
import { installationDeps } from './installation-deps.js';
import type { SignInActivationDeps } from './sign-in-activation.js';

export function signInActivationDeps(): SignInActivationDeps {
  return { ...installationDeps(), siteUrl: config().siteUrl };
}

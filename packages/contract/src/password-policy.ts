/**
 * The user directory's password policy (API.md §7): the one definition that the Cognito user pool on AWS
 * (cdk/constructs/user-directory.ts), the local directory under `npm start` (dev/cognito-local.ts, which
 * enforces its pool's policy as Cognito does) and the license site's hint all read, so the hint never
 * promises what the directory refuses.
 */
export const passwordPolicy = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
} as const;

export type PasswordPolicy = typeof passwordPolicy;

/** The policy as a person reads it: "At least 12 characters, with upper and lower case letters, a digit and a symbol." */
export function describePasswordPolicy(policy: PasswordPolicy = passwordPolicy): string {
  const letters = policy.requireUppercase && policy.requireLowercase ? 'upper and lower case letters' : policy.requireUppercase ? 'an upper case letter' : policy.requireLowercase ? 'a lower case letter' : undefined;
  const kinds = [letters, policy.requireDigits ? 'a digit' : undefined, policy.requireSymbols ? 'a symbol' : undefined].filter((kind) => kind !== undefined);
  const listed = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : (kinds[0] ?? '');
  return `At least ${policy.minLength} characters${listed ? `, with ${listed}` : ''}.`;
}

/** The policy in the form of Cognito's `CreateUserPool`/`UpdateUserPool` (`Policies.PasswordPolicy`). */
export function cognitoPasswordPolicy(policy: PasswordPolicy = passwordPolicy) {
  return {
    MinimumLength: policy.minLength,
    RequireLowercase: policy.requireLowercase,
    RequireUppercase: policy.requireUppercase,
    RequireNumbers: policy.requireDigits,
    RequireSymbols: policy.requireSymbols,
  };
}

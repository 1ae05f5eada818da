import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { problem } from '@license-activation/contract/problem';
import { routeById } from '@license-activation/contract/routes';
import type { RouteId } from '@license-activation/contract/routes';
import type { StageConfig } from '../stage-config.js';

/** The anonymous or key-guessing routes that an attacker would hammer: rate-limited per IP. */
export const rateLimitedRouteIds: readonly RouteId[] = ['activate', 'startTrial', 'offlineActivate', 'registerAccount'];

const rateLimitWindowSeconds = 300;
const rateLimitedBodyKey = 'rate-limited';

export interface WebFirewallProps {
  readonly config: StageConfig;
  readonly stage: Stage;
}

/**
 * A WAF web ACL on the API stage: AWS's common rule set, a per-IP rate limit on the routes of
 * `rateLimitedRouteIds` and a looser one on every route, both answering 429 RATE_LIMITED like the API does.
 */
export class WebFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  readonly webAclName: string;

  constructor(scope: Construct, id: string, { config, stage }: WebFirewallProps) {
    super(scope, id);
    const name = `license-activation-${config.stage}`;
    this.webAclName = name;
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${name}-${metricName}`,
    });
    // Matched anywhere in the URI, so a stage prefix, a custom domain's base path or a trailing slash cannot dodge it.
    const pathStatements = rateLimitedRouteIds.map((routeId): CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'CONTAINS',
        searchString: routeById(routeId).path,
        textTransformations: [
          { priority: 0, type: 'URL_DECODE' },
          { priority: 1, type: 'LOWERCASE' },
        ],
      },
    }));
    const rateLimited = problem('RATE_LIMITED', 'too many requests from this address, retry later', {
      retryAfterSeconds: rateLimitWindowSeconds,
    });
    const blockAsRateLimited: CfnWebACL.RuleActionProperty = {
      block: {
        customResponse: {
          responseCode: rateLimited.status,
          customResponseBodyKey: rateLimitedBodyKey,
          responseHeaders: [{ name: 'Retry-After', value: String(rateLimitWindowSeconds) }],
        },
      },
    };

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('web-acl'),
      customResponseBodies: {
        // WAF cannot send application/problem+json: the body is the problem document as application/json.
        [rateLimitedBodyKey]: { contentType: 'APPLICATION_JSON', content: JSON.stringify(rateLimited.toProblem()) },
      },
      rules: [
        {
          name: 'aws-common-rules',
          priority: 0,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // The rule set blocks bodies over 8 KB; the contract accepts 64 KiB and answers 413 beyond.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility('common-rules'),
        },
        {
          name: 'rate-limit-activation-paths',
          priority: 1,
          action: blockAsRateLimited,
          statement: {
            rateBasedStatement: {
              limit: config.wafRateLimit,
              evaluationWindowSec: rateLimitWindowSeconds,
              aggregateKeyType: 'IP',
              scopeDownStatement: { orStatement: { statements: pathStatements } },
            },
          },
          visibilityConfig: visibility('rate-limit'),
        },
        {
          // Every route: an address hammering the signing routes (heartbeat, restore) is stopped here too.
          name: 'rate-limit-per-ip',
          priority: 2,
          action: blockAsRateLimited,
          statement: { rateBasedStatement: { limit: config.wafGlobalRateLimit, evaluationWindowSec: rateLimitWindowSeconds, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate-limit-per-ip'),
        },
      ],
    });

    const association = new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    // The stage must exist before WAF can attach to it; its ARN alone does not say so.
    association.node.addDependency(stage);
  }
}

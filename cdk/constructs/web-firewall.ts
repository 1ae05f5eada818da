import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { siteOriginMark, viewerAddressHeader, wafHeaderPrefix } from '#lib/http/client-address.js';
import { problem } from '@license-activation/contract/problem';
import { routeById } from '@license-activation/contract/routes';
import type { RouteId } from '@license-activation/contract/routes';
import type { StageConfig } from '../stage-config.js';

/** The anonymous or key-guessing routes that an attacker would hammer: rate-limited per IP. */
export const rateLimitedRouteIds: readonly RouteId[] = ['activate', 'startTrial', 'offlineActivate', 'registerAccount'];

const rateLimitWindowSeconds = 300;
const rateLimitedBodyKey = 'rate-limited';

/** The origin header by which the license site's distribution proves a request came through it; its value is `siteOriginSecret`. */
export const siteOriginHeader = 'x-site-origin-secret';

export interface WebFirewallProps {
  readonly config: StageConfig;
  readonly stage: Stage;
  /** The value the distribution sends in `siteOriginHeader`. */
  readonly siteOriginSecret: ISecret;
}

/**
 * A WAF web ACL on the API stage: AWS's common rule set, a per-IP rate limit on the routes of
 * `rateLimitedRouteIds` and a looser one on every route, both answering 429 RATE_LIMITED like the API does.
 *
 * Requests through the license site's distribution arrive from CloudFront's addresses. Those that carry
 * the distribution's secret origin header are marked (`x-amzn-waf-site-origin`, lib/http/client-address.ts)
 * and counted per viewer address, which the distribution sends in `x-viewer-address`; every other request
 * is counted per source address, and may not bring a header WAF would insert.
 */
export class WebFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  readonly webAclName: string;

  constructor(scope: Construct, id: string, { config, stage, siteOriginSecret }: WebFirewallProps) {
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

    const viaSite: CfnWebACL.StatementProperty = {
      byteMatchStatement: {
        fieldToMatch: { singleHeader: { Name: siteOriginHeader } },
        positionalConstraint: 'EXACTLY',
        searchString: siteOriginSecret.secretValue.unsafeUnwrap(),
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    };
    const notViaSite: CfnWebACL.StatementProperty = { notStatement: { statement: viaSite } };
    const both = (one: CfnWebACL.StatementProperty, other?: CfnWebACL.StatementProperty): CfnWebACL.StatementProperty =>
      other ? { andStatement: { statements: [one, other] } } : one;
    /** A per-address rate rule, twice: by the source address, and by the viewer's for requests through the site. */
    const perAddress = (rule: { name: string; priority: number; limit: number; metric: string; scope?: CfnWebACL.StatementProperty }): CfnWebACL.RuleProperty[] => [
      {
        name: rule.name,
        priority: rule.priority,
        action: blockAsRateLimited,
        statement: { rateBasedStatement: { limit: rule.limit, evaluationWindowSec: rateLimitWindowSeconds, aggregateKeyType: 'IP', scopeDownStatement: both(notViaSite, rule.scope) } },
        visibilityConfig: visibility(rule.metric),
      },
      {
        name: `${rule.name}-via-site`,
        priority: rule.priority + 1,
        action: blockAsRateLimited,
        statement: {
          rateBasedStatement: {
            limit: rule.limit,
            evaluationWindowSec: rateLimitWindowSeconds,
            aggregateKeyType: 'FORWARDED_IP',
            // Set by the distribution on every request it forwards: a marked request without a usable one is not counted here.
            forwardedIpConfig: { headerName: viewerAddressHeader, fallbackBehavior: 'NO_MATCH' },
            scopeDownStatement: both(viaSite, rule.scope),
          },
        },
        visibilityConfig: visibility(`${rule.metric}-via-site`),
      },
    ];

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
          // Only WAF inserts these (below): a request that brings one is forging the site's mark.
          name: 'no-forged-waf-headers',
          priority: 1,
          action: { block: {} },
          statement: {
            byteMatchStatement: {
              fieldToMatch: { headers: { matchPattern: { all: {} }, matchScope: 'KEY', oversizeHandling: 'MATCH' } },
              positionalConstraint: 'STARTS_WITH',
              searchString: wafHeaderPrefix,
              textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
            },
          },
          visibilityConfig: visibility('forged-waf-headers'),
        },
        {
          name: 'mark-site-origin',
          priority: 2,
          action: { count: { customRequestHandling: { insertHeaders: [siteOriginMark] } } },
          statement: viaSite,
          visibilityConfig: visibility('site-origin'),
        },
        ...perAddress({ name: 'rate-limit-activation-paths', priority: 3, limit: config.wafRateLimit, metric: 'rate-limit', scope: { orStatement: { statements: pathStatements } } }),
        // Every route: an address hammering the signing routes (heartbeat, restore) is stopped here too.
        ...perAddress({ name: 'rate-limit-per-ip', priority: 5, limit: config.wafGlobalRateLimit, metric: 'rate-limit-per-ip' }),
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

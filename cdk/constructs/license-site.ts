import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  SecurityPolicyProtocol,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import type { BehaviorOptions } from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';
import { viewerAddressHeader } from '#lib/http/client-address.js';
import { siteContentSecurityPolicy, strictTransportSecurityMaxAgeSeconds } from '#lib/http/site-headers.js';
import { siteOriginHeader } from './web-firewall.js';
import type { StageConfig } from '../stage-config.js';

export interface LicenseSiteProps {
  readonly config: StageConfig;
  readonly restApi: RestApi;
  /** Sent to the API as `siteOriginHeader` on every request: the API's web ACL then believes the viewer's address. */
  readonly siteOriginSecret: ISecret;
  /** The built site (`npm run build -w site`). */
  readonly siteDir: string;
}

/** Paths CloudFront sends to API Gateway; everything else is the site. One list, in the order CloudFront matches. */
export const apiPathPatterns = ['/v1/*', '/.well-known/*', '/health', '/openapi.json'] as const;

/**
 * The license site on its own domain, with the API under the same domain (so no CORS): a private S3
 * bucket read only by this distribution (origin access control), the API's routes forwarded uncached
 * to API Gateway, and strict security headers on every page.
 */
export class LicenseSite extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  /** Served on `siteUrl`'s own domain with its certificate, not only on `*.cloudfront.net`. */
  readonly ownDomain: boolean;

  constructor(scope: Construct, id: string, props: LicenseSiteProps) {
    super(scope, id);
    const { config, restApi } = props;
    this.ownDomain = config.siteCertificateArn !== undefined;
    const removal = { removalPolicy: config.removalPolicy, autoDeleteObjects: config.removalPolicy === RemovalPolicy.DESTROY };

    this.logBucket = new Bucket(this, 'Logs', {
      ...removal,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are written with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(config.logRetention) }],
    });
    this.bucket = new Bucket(this, 'Files', {
      ...removal,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'bucket/',
    });

    this.headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'License site: strict CSP, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: siteContentSecurityPolicy(`https://cognito-idp.${Stack.of(this).region}.amazonaws.com`, { upgradeInsecureRequests: true }),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(strictTransportSecurityMaxAgeSeconds), includeSubdomains: true, preload: false, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    // The app routes in the browser: a page path (no file extension) is answered with index.html.
    // Distribution-wide error pages would also rewrite the API's own 404s, so this runs on the site's paths only.
    const pages = new CloudFrontFunction(this, 'Pages', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'License site: page paths to /index.html',
      code: FunctionCode.fromInline(
        "function handler(event) { var request = event.request; if (request.uri.lastIndexOf('.') <= request.uri.lastIndexOf('/')) request.uri = '/index.html'; return request; }",
      ),
    });

    // Every answer carries a request id (API.md §6): the API's answers get API Gateway's, the site's get
    // CloudFront's own id of the request. CloudFront runs no viewer-response function when the bucket
    // answers 400 or more (a missing asset's 403): those answers go without.
    const requestId = new CloudFrontFunction(this, 'RequestId', {
      runtime: FunctionRuntime.JS_2_0,
      comment: "License site: CloudFront's request id as X-Request-Id",
      code: FunctionCode.fromInline("function handler(event) { event.response.headers['x-request-id'] = { value: event.context.requestId }; return event.response; }"),
    });

    // The API sees CloudFront's address as the source: the viewer's goes along, overwriting any a viewer sent.
    const viewerAddress = new CloudFrontFunction(this, 'ViewerAddress', {
      runtime: FunctionRuntime.JS_2_0,
      comment: "License API: the viewer's address to the origin",
      code: FunctionCode.fromInline(`function handler(event) { event.request.headers['${viewerAddressHeader}'] = { value: event.viewer.ip }; return event.request; }`),
    });
    const api: BehaviorOptions = {
      origin: new RestApiOrigin(restApi, { customHeaders: { [siteOriginHeader]: props.siteOriginSecret.secretValue.unsafeUnwrap() } }),
      functionAssociations: [{ function: viewerAddress, eventType: FunctionEventType.VIEWER_REQUEST }],
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // Authorization, DPoP, Account-Id, Idempotency-Key and the viewer's address reach the API; its own Host stays API Gateway's.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `License site and API (${config.stage})`,
      // On the site's own domain when its certificate is given; otherwise on the distribution's *.cloudfront.net name.
      ...(config.siteCertificateArn
        ? {
            domainNames: [new URL(config.siteUrl).host],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', config.siteCertificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
        functionAssociations: [
          { function: pages, eventType: FunctionEventType.VIEWER_REQUEST },
          { function: requestId, eventType: FunctionEventType.VIEWER_RESPONSE },
        ],
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns.map((pattern) => [pattern, api])),
    });

    // Assets first, then the page that names them: a visitor never gets an index.html whose assets are missing.
    const assets = new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(props.siteDir)],
      destinationBucket: this.bucket,
      // Vite names every asset by its content; index.html itself is revalidated on each visit.
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      exclude: ['index.html'],
      prune: false,
    });
    const page = new BucketDeployment(this, 'DeployIndex', {
      sources: [Source.asset(props.siteDir)],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['index.html'],
      cacheControl: [CacheControl.noCache()],
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
    });
    page.node.addDependency(assets);
  }
}

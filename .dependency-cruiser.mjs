/**
 * Which folder may import which (docs/ARCHITECTURE.md, "Folders"). `npm test` runs this through
 * `npm run deps`; a rule broken here is a design decision to make in that document first.
 */
const service = '^(lib|functions|cdk|dev)/';
const notLib = (...allowed) => `^lib/(?!(${allowed.join('|')})/)`;

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'A cycle makes two modules one: merge them or move what both need.', from: {}, to: { circular: true } },
    {
      name: 'contract-stands-alone',
      severity: 'error',
      comment: 'The contract is shared by every side: it depends on zod and Node built-ins only.',
      from: { path: '^packages/contract/' },
      to: { pathNot: ['^packages/contract/', '^node_modules/zod/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'client-knows-only-the-contract',
      severity: 'error',
      comment: 'The installable client ships alone: the contract, jose and zod, never the service or the AWS SDK.',
      from: { path: '^packages/client/' },
      to: { pathNot: ['^packages/(client|contract)/', '^node_modules/(jose|zod|qrcode)/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'service-does-not-reach-tools',
      severity: 'error',
      comment: 'What runs on AWS never imports tests, benchmarks, scripts or the local stand-ins.',
      from: { path: '^(lib|functions|cdk)/' },
      to: { path: '^(test|bench|scripts|dev)/' },
    },
    { name: 'lib-does-not-reach-entry-points', severity: 'error', from: { path: '^lib/' }, to: { path: '^(functions|cdk)/' } },
    { name: 'platform-is-the-floor', severity: 'error', comment: 'AWS clients, config, logger, metrics: no domain.', from: { path: '^lib/platform/' }, to: { path: notLib('platform') } },
    { name: 'keys-need-only-platform', severity: 'error', from: { path: '^lib/keys/' }, to: { path: notLib('keys', 'platform') } },
    { name: 'data-needs-only-platform-and-keys', severity: 'error', from: { path: '^lib/data/' }, to: { path: notLib('data', 'platform', 'keys') } },
    {
      name: 'net-is-address-logic',
      severity: 'error',
      comment: 'Addresses and the brakes per source: the table through lib/data, no domain.',
      from: { path: '^lib/net/' },
      to: { path: notLib('net', 'data', 'platform') },
    },
    { name: 'openapi-describes-the-contract', severity: 'error', from: { path: '^lib/openapi/' }, to: { path: notLib('openapi') } },
    {
      name: 'http-is-the-envelope',
      severity: 'error',
      comment: 'The request envelope authenticates (auth) but knows no entity.',
      from: { path: '^lib/http/' },
      to: { path: notLib('http', 'auth', 'platform') },
    },
    {
      name: 'auth-reads-requests-through-http-event',
      severity: 'error',
      from: { path: '^lib/auth/' },
      to: { path: '^lib/(?!(auth|data|keys|platform)/|http/http-event\\.ts$)' },
    },
    { name: 'functions-stay-thin-and-apart', severity: 'error', comment: 'A handler imports lib/, never another handler.', from: { path: '^functions/([^/]+)/' }, to: { path: '^functions/', pathNot: '^functions/$1/' } },
    { name: 'the-service-never-imports-tests', severity: 'error', from: { path: '^(lib|functions|cdk|dev|packages)/' }, to: { path: '^test/' } },
    { name: 'packages-are-imported-by-name', severity: 'error', comment: 'Outside a package, import it by its name, not by a path into it.', from: { path: service }, to: { path: '^packages/[^/]+/dist/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|cdk\\.out|coverage|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@license-activation/source', 'import', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};

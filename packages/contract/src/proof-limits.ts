/** Time limits on an installation's proofs (API.md section 5), shared by the service and the client. */

/** RFC 9449: how far a DPoP proof's `iat` may be from the server's clock. */
export const dpopMaxSkewSeconds = 300;
/** How long a proof's `jti` is remembered: twice the skew, so no accepted proof can be replayed. */
export const dpopReplayWindowSeconds = 600;
/** How long an offline request file is valid after its `iat`. */
export const offlineRequestLifetimeSeconds = 7 * 24 * 60 * 60;

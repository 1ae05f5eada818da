/** The JWS header `typ` of each kind of signed document the contract knows. */

/** License tokens and license files, signed by the service. */
export const licenseTokenType = 'license+jwt';
/** DPoP proofs (RFC 9449), signed by an installation for one request. */
export const dpopProofType = 'dpop+jwt';
/** Offline activation request files, signed by an installation. */
export const activationRequestType = 'activation-request+jwt';

/** The org id the emulator reports (and signs its outbound messages with) unless told another. */
export const DEFAULT_ORG_ID = '00D5g000004LBdgEAG';

// oidc-provider (dev dependency, used by the OIDC login test only) ships no type declarations.
declare module 'oidc-provider';

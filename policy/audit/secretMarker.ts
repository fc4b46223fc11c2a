/**
 * What a secret becomes: rules treat it as an opaque value they cannot read (like an unknown during preview),
 * formatters print it as `[secret]`.
 */
export const SECRET_MARKER = "[secret]";

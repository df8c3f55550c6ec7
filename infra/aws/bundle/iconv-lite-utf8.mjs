// Stands in for iconv-lite in the Lambda bundles. The mariadb connector calls iconv-lite only for
// charsets Node's Buffer does not know; our databases, tables and connections are all utf8mb4,
// which Buffer handles, so the real library (about 480 KiB minified) is never used. Decoding other
// charsets still works through TextDecoder; encoding them fails with a clear message.
function encode(text, encoding) {
  throw new Error(`This bundle encodes utf8 only; the connection asked for "${encoding}".`);
}

function decode(buffer, encoding) {
  return new TextDecoder(encoding).decode(buffer);
}

function encodingExists(encoding) {
  return Buffer.isEncoding(encoding);
}

export { encode, decode, encodingExists };
export default { encode, decode, encodingExists };

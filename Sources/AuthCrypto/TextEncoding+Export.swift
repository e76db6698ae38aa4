/// ``Encoding`` (hex, base64url) lives in TextEncoding, below CBOR and StrictJSON as well; every `import AuthCrypto`
/// sees it as before.
@_exported import TextEncoding

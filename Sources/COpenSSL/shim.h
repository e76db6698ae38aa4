#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/kdf.h>

/* Helpers for macros Swift cannot import. Prefixed, not API: only AuthCrypto uses them. */

/* The key-selection mask for public-key import with EVP_PKEY_fromdata. */
static inline int c_authcrypto_selection_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }

/* BIO_get_mem_data: points *data at a memory BIO's contents and returns their length. */
static inline long c_authcrypto_bio_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

/* OSSL_PARAM_BLD keeps the parameter-name pointer until OSSL_PARAM_BLD_to_param, so names must be static
   C strings (a Swift String bridged for one call is not). These push with the header's literal names. */
static inline int c_authcrypto_push_ec_public_key(OSSL_PARAM_BLD *builder, const char *group,
                                                  const unsigned char *point, size_t point_length) {
    return OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group, 0)
        && OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point, point_length);
}

static inline int c_authcrypto_push_rsa_public_key(OSSL_PARAM_BLD *builder, const BIGNUM *n, const BIGNUM *e) {
    return OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n)
        && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e);
}

#endif

/// Keys and signatures made outside this package, with pyca/cryptography 48.0.0 (its own bundled OpenSSL
/// build and bindings), generated once and pasted here, for algorithms that `SigningKey` cannot produce:
/// ES384, RS1 and PS256. They check our bindings (hash choice, padding, r||s conversion), not OpenSSL.
/// The message for all of them is `message`.
enum CrossImplementationFixtures {
    static let message = Array("authlog cross-implementation fixture".utf8)

    /// P-384 public key (SubjectPublicKeyInfo, base64) and an ES384 signature of `message` in both forms.
    static let p384SPKI = "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE96gyAdXgt5J1z68a4SqBVujyO2q6Q3KxY0GbT6n5OPv8m1ZyTgyYy6j8TcD8LRwgqc1kcqip44K2NcF2O3JNd8nzIT7YhQFyx3J36sD/G2IURwE2vei4VDo3x7P8Uk1V"
    static let es384DER = "3066023100c1e8b5e88a8d0855267d2dc77739241584ba16a466f122a7640c646b158e0d9e5352f17e7cdf04cdb5273930cadf986c023100856c90a4b0d2d5f8bbc204e8d9a08d66acf0fc350b370c30530f2251b5f98feaf8d63cf97ca43e61cc2b6ecaca41a9bb"
    static let es384Raw = "c1e8b5e88a8d0855267d2dc77739241584ba16a466f122a7640c646b158e0d9e5352f17e7cdf04cdb5273930cadf986c856c90a4b0d2d5f8bbc204e8d9a08d66acf0fc350b370c30530f2251b5f98feaf8d63cf97ca43e61cc2b6ecaca41a9bb"

    /// RSA-2048 public key, with an RS1 (PKCS#1 v1.5 SHA-1) and a PS256 (salt 32) signature of `message`.
    static let rsaSPKI = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuwRtyChSMUN/YYDnUbx+c0/DjS+2JksTLZdKigh240hVLui2YtSvflmsaVXxAUfnoNyz/Gs6ANdV3dnXAfAneNroeIhf+8veudxLNBLXPnl22HSG/00I7Dju/lS03WRlYNzSSvF9rqCluXRcqTnxc8N54bY+k60Gy+Z3Kt8/yXIu0xoxmcPt41b+26y8SOSrOv3/bSEoK7Igw7+5wIY414+QxBN7qNy/Ngwd8EliaK0Q+yFSQXRWBN0vfRCoN+kZMsqoON3g0d3vIz3PwJ7mCJD0ITBDoPGis3MvLjzHWgWlptB2b7yzPUHPshE4+TES+MooRgPsxtv6rwQ7Hg3ssQIDAQAB"
    static let rs1Signature = "P3qsFxnB89SzLcwXQl8cMacpDI2OY9k51hWRrQEb2STbunw+hd/yrl1CJ07Sfi7ZzqwbOTiFY/ybZh+fFJpRUbmzGd2uo7NYgzZSEWnWEpqoHteu6LxxXRLADe36vydz7G/Jx7b8Y7gxBfes/jZEQ4ASE5kTKcatI3+j0+Y5UNcDp8ABJ5iWzcFwVwUJPBIYFhU61lNWLdqqdBGK8gyk3WzCnB17LvFUoPFbylUxVd0JzSoo3uicgYFC8xceqaqx64HzuSLkuiCFQ7NI5tJ0PjpACOd1UR8VbBIyNOUP3gUGR+5sPBDLZ7PzvVtDZCSOvMpC+QdgTD0ifBgzQGWQPw=="
    static let ps256Signature = "kDuRR3QHhcJyASpKJ0ICunv5vCeT4NOQYmplLOzh2PrdBSgouvUd75v6xA0/TjrVD3XATlMEHrFoXyBwVDR11hrNHpQoc2ccA/bm2WOfUcDRUO8ev55z+AonB3dyVW2ACvwPPIwlL29U0FpeeDgE7AJ5FL5TnE2dA6IlnRHI2o0A3Kg5KN3BqfNwTL3A5zMqbJXfE+6VOPwpj/qJNRa+M5RS4hhAunzeYwkWy0lVODyB0AsxUJKQb7o5wp58+qwzyMry2cE50R77ar2LTeyduBGO9ifGJSrcuIqv6sRLzQdQRc82YZzd7bGlE3HbviW4Jai0ZxUpurfS68VcbNEdJQ=="

    /// An RSA-1024 key, which every import path must refuse.
    static let rsa1024SPKI = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDrdPdzeyyRiVZfd1k9WjzWRpK6DXl9yG8pnyaFx93roQuu801Z3CmZpFoQakpzEcSQdJH7SPJZUzirY53PxHQsoG3ak6fc7VYAgLMTGTlKe39P8tIglZgwekBQeiObXAdDRppGkAIr8zg1xAAfTu8ObYFhpxQOfqpXlRhtxZSk5QIDAQAB"
    static let rsa1024PKCS8 = """
        -----BEGIN PRIVATE KEY-----
        MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBAOt093N7LJGJVl93
        WT1aPNZGkroNeX3IbymfJoXH3euhC67zTVncKZmkWhBqSnMRxJB0kftI8llTOKtj
        nc/EdCygbdqTp9ztVgCAsxMZOUp7f0/y0iCVmDB6QFB6I5tcB0NGmkaQAivzODXE
        AB9O7w5tgWGnFA5+qleVGG3FlKTlAgMBAAECgYAZs9D3SDDbSjSlgy+4pMsTUOzf
        Zm0mr+SClJ7t551wBUpzNJfzATeBUBGMzS2HVh8w7aip15Ks8Yq0GtG1Rmqv5tCK
        KxmBP8eBkCUUC6eFATopQs0wQNwmQS0buK6idhru9hLD0l5DAF8L3B67kxdbou+L
        lXSVi/5rluJ9euX5mQJBAPhSaQkfVZZJq4/9nNu+cgJIyhbSEgXv8ohrOMr64V/9
        v7q+8vvxUcH7ueFuJDbKw9efhwquTHm9Cb5//MKf5DMCQQDyvLkxqDiRorhuyhEW
        fZz5NQCi32JLXdeylrlvqku+JvY7/wr3r50M4LmbVqlemmy2i/QNryax+v0P/Y3y
        cXqHAkAc5DG2Tv/9OVsNqLs8Ud8f5uokV5KjQDSerKLx8tiP+4z4JElPCNezUx9g
        XBk4isTYbIYgtwDM1TKyCGAXINVDAkEAjjNjJqUO5rp142l7EzrpT9DuG3xUACTs
        rNHBtpoEH1SB4enqiemWTqoD8e2V8Tb0QwjAI5gdShzoTYrTslkqVwJBAJS1HPD+
        x05Q6b00RIG0/iDuzzFtJUp/MLVZFAlIqKjnVzSp5MB6/x29EKwUvB0YWsjwU4cJ
        VF8ypuSKvOttan0=
        -----END PRIVATE KEY-----
        """
}

/// Exact conversions between `Double` and the three CBOR float widths (RFC 8949 §3.3, App. D).
///
/// Conversions are done on bit patterns so that NaN payloads (including signalling NaNs)
/// survive unchanged, and so that no platform `Float16` support is needed.
enum FloatWidth: Sendable {
    /// Half precision (IEEE 754 binary16), additional information 25.
    case half(UInt16)
    /// Single precision (IEEE 754 binary32), additional information 26.
    case single(UInt32)
    /// Double precision (IEEE 754 binary64), additional information 27.
    case double(UInt64)

    /// The shortest width that represents `value` exactly (preferred serialization, §4.1):
    /// NaNs keep their payload and sign; everything else must round-trip without loss.
    static func shortest(_ value: Double) -> FloatWidth {
        let bits = value.bitPattern
        if value.isNaN {
            let sign = bits >> 63
            let mantissa = bits & 0x000F_FFFF_FFFF_FFFF
            if mantissa & 0x3FF_FFFF_FFFF == 0 {  // low 42 bits clear: fits in 10 bits
                return .half(UInt16(sign << 15) | 0x7C00 | UInt16(mantissa >> 42))
            }
            if mantissa & 0x1FFF_FFFF == 0 {  // low 29 bits clear: fits in 23 bits
                return .single(UInt32(sign << 31) | 0x7F80_0000 | UInt32(mantissa >> 29))
            }
            return .double(bits)
        }
        let single = Float(value)
        guard Double(single) == value else { return .double(bits) }
        if let half = halfBits(exactly: single) { return .half(half) }
        return .single(single.bitPattern)
    }

    /// The binary16 pattern equal to `value`, or `nil` if there is none. `value` must not be NaN.
    private static func halfBits(exactly value: Float) -> UInt16? {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 31) << 15
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return mantissa == 0 ? sign | 0x7C00 : nil }
        if exponent == 0 { return mantissa == 0 ? sign : nil }  // float subnormals are below half range
        let unbiased = exponent - 127
        if unbiased >= -14 && unbiased <= 15 {
            guard mantissa & 0x1FFF == 0 else { return nil }
            return sign | UInt16(unbiased + 15) << 10 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        if unbiased >= -24 && unbiased < -14 {
            // Half subnormal: value = fraction * 2^-24 with a 10-bit fraction.
            let significand = mantissa | 0x80_0000
            let shift = UInt32(-(unbiased + 1))  // 14...23
            guard significand & ((1 << shift) - 1) == 0 else { return nil }
            return sign | UInt16(truncatingIfNeeded: significand >> shift)
        }
        return nil
    }

    /// Widens a binary16 pattern to the equal `Double`.
    static func double(fromHalf half: UInt16) -> Double {
        let sign: UInt64 = UInt64(half >> 15) << 63
        let exponent = Int((half >> 10) & 0x1F)
        let mantissa = UInt64(half & 0x3FF)
        switch exponent {
        case 0:
            let magnitude = Double(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Double(bitPattern: sign | 0x7FF0_0000_0000_0000 | mantissa << 42)
        default:
            return Double(bitPattern: sign | UInt64(exponent - 15 + 1023) << 52 | mantissa << 42)
        }
    }

    /// Widens a binary32 pattern to the equal `Double`, keeping NaN payloads bit for bit.
    static func double(fromSingle single: UInt32) -> Double {
        if single & 0x7F80_0000 == 0x7F80_0000 && single & 0x7F_FFFF != 0 {
            let sign = UInt64(single >> 31) << 63
            return Double(bitPattern: sign | 0x7FF0_0000_0000_0000 | UInt64(single & 0x7F_FFFF) << 29)
        }
        return Double(Float(bitPattern: single))
    }
}

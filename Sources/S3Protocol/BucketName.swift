/// S3's bucket naming rules, which keep names usable as DNS labels in virtual-host URLs
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
public enum BucketName {
    /// Throws `InvalidBucketName` unless the name is 3–63 lowercase letters, digits, `.`
    /// and `-`, starts and ends with a letter or digit, has no `..`, is not an IPv4
    /// address, and avoids the prefixes and suffixes S3 reserves.
    public static func validate(_ name: String) throws(S3Error) {
        guard isValid(name) else { throw .invalidBucketName(name) }
    }

    public static func isValid(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard (3...63).contains(utf8.count) else { return false }
        let isAlphanumeric: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
        guard utf8.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
            isAlphanumeric(utf8[0]), isAlphanumeric(utf8[utf8.count - 1]),
            !name.contains("..")
        else { return false }
        for reserved in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(reserved) { return false }
        for reserved in ["-s3alias", "--ol-s3", "--x-s3", ".mrap"] where name.hasSuffix(reserved) { return false }
        return !looksLikeIPv4(name)
    }

    private static func looksLikeIPv4(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

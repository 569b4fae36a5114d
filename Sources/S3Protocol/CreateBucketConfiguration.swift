/// The optional body of CreateBucket.
///
///     <CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>
public enum CreateBucketConfiguration {
    public static let maximumBodySize = 64 << 10

    /// The `LocationConstraint`, or nil when the body is empty or names none.
    public static func parse(_ bytes: [UInt8], limit: Int = maximumBodySize) throws(S3Error) -> String? {
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else { return nil }
        let root = try S3XMLParser.parse(bytes, limit: limit)
        guard root.name == "CreateBucketConfiguration" else { throw .malformedXML }
        guard let constraint = root.child("LocationConstraint")?.trimmedText, !constraint.isEmpty else { return nil }
        return constraint
    }
}

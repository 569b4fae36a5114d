/// S3's object key rule: any UTF-8, 1 to 1024 bytes.
public enum ObjectKey {
    public static let maximumLength = 1024

    /// Throws `KeyTooLongError` beyond 1024 UTF-8 bytes, `InvalidArgument` for an empty key.
    public static func validate(_ key: String) throws(S3Error) {
        guard !key.isEmpty else { throw .invalidArgument("The object key must not be empty.") }
        guard key.utf8.count <= maximumLength else { throw .keyTooLong.with(resource: String(key.prefix(64))) }
    }
}

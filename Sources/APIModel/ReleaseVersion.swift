/// The version `p2p --version` and `p2pd --version` print.
public enum ReleaseVersion {
    public static let current = "0.1.0"
}

extension StringProtocol {
    /// The text without leading and trailing whitespace (a pasted token, a file's last newline).
    package func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

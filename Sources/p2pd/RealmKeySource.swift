import API
import APIModel
import S3Gateway

/// The local API's S3 key routes over the network-wide keys of the `S3Realm`.
struct RealmKeySource: S3KeySource {
    let realm: S3Realm

    func createKey(name: String, buckets: [String]) async throws -> S3AccessKey {
        Self.document(try await realm.createKey(label: name, buckets: buckets), secret: true)
    }

    func keys() async throws -> [S3AccessKey] {
        try await realm.keys().map { Self.document($0, secret: false) }
    }

    func deleteKey(_ id: String) async throws -> Bool {
        try await realm.deleteKey(id)
    }

    private static func document(_ entry: AccessKeyEntry, secret: Bool) -> S3AccessKey {
        S3AccessKey(
            accessKeyId: entry.name, secretAccessKey: secret ? entry.secret : nil, name: entry.label,
            created: Double(entry.created) / 1000, buckets: entry.buckets)
    }
}

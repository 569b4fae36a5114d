import Foundation
import Testing
import TestSupport

/// The S3 gateway with real processes and real clients (issue 19, docs/s3.md): the aws CLI,
/// boto3, rclone and s3cmd work against it unchanged; buckets live in the network, so an
/// object outlives the gateway it was put through and two gateways converge on one winner;
/// removing an object gives its file back.
@Suite(.serialized) struct S3ProcessTests {
    /// Every client's suite (Tests/S3Clients), against a 3-peer network: boto3 covers every
    /// operation and the bad input (wrong signature, expired presigned URL, clock skew,
    /// malformed XML, oversize header), each checked to change nothing; aws-chunked bodies
    /// are signed by hand as the SDKs send them over HTTPS; virtual-host-style requests.
    @Test func theClientsPeopleUseWorkUnchanged() async throws {
        let cluster = try ProcessCluster(peers: 3, runArguments: ["--s3-domain", "s3.test"], s3: true)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let key = try S3Clients.createKey(cluster, peer: 0)
        // The key was made through peer 0; boto3 talks to peer 1: keys are network-wide.
        let suites = [
            ("boto3_suite.py", 1), ("awscli_suite.sh", 0), ("rclone_suite.sh", 2), ("s3cmd_suite.sh", 0), ("chunked_suite.py", 2),
        ]
        for (suite, peer) in suites {
            let run = try S3Clients.runSuite(suite, cluster: cluster, peer: peer, key: key)
            #expect(run.status == 0, "\(suite) failed:\n\(run.stderr)\n\(run.stdout.suffix(3000))")
            #expect(run.stdout.contains("suite passed"), "\(suite): \(run.stdout.suffix(2000))")
        }
        // Virtual-host style: BUCKET.s3.test, resolved to 127.0.0.1 inside the script only.
        let virtual = try S3Clients.python(
            """
            import socket
            resolve = socket.getaddrinfo
            socket.getaddrinfo = lambda host, *rest, **named: resolve('127.0.0.1' if host.endswith('s3.test') else host, *rest, **named)
            v = boto3.client('s3', endpoint_url=os.environ['S3_ENDPOINT'].replace('127.0.0.1', 's3.test'),
                aws_access_key_id=os.environ['S3_ACCESS_KEY'], aws_secret_access_key=os.environ['S3_SECRET_KEY'],
                region_name='us-east-1', config=Config(s3={'addressing_style': 'virtual'}, retries={'max_attempts': 1}))
            v.create_bucket(Bucket='virtual-host')
            v.put_object(Bucket='virtual-host', Key='a/b c', Body=b'by host')
            print(v.get_object(Bucket='virtual-host', Key='a/b c')['Body'].read().decode())
            print(c.get_object(Bucket='virtual-host', Key='a/b c')['Body'].read().decode())
            """, cluster: cluster, peer: 1, key: key)
        #expect(virtual.status == 0, "\(virtual.stderr)")
        #expect(virtual.stdout == "by host\nby host\n", "the same object by host and by path: \(virtual.stdout)")
    }

    /// An object put through peer 0's gateway is read through peer 2's after peer 0 is
    /// SIGKILLed, byte for byte, and listed there.
    @Test func anObjectOutlivesTheGatewayItWasPutThrough() async throws {
        let cluster = try ProcessCluster(peers: 3, s3: true)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let key = try S3Clients.createKey(cluster, peer: 0)
        let file = cluster.root + "/object"
        try writeRandomFile(file, size: 5 << 20 | 12_345)
        let put = try S3Clients.python(
            """
            c.create_bucket(Bucket='durable')
            c.upload_file(sys.argv[1], 'durable', 'dir/object')
            """, cluster: cluster, peer: 0, key: key, arguments: [file])
        #expect(put.status == 0, "\(put.stderr)")
        cluster.kill(0)
        let read = try S3Clients.python(
            """
            c.download_file('durable', 'dir/object', sys.argv[1] + '.back')
            print([o['Key'] for o in c.list_objects_v2(Bucket='durable')['Contents']])
            """, cluster: cluster, peer: 2, key: key, arguments: [file])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.contains("['dir/object']"))
        #expect(FileManager.default.contentsEqual(atPath: file, andPath: file + ".back"))

        // A key limited to another bucket, made through peer 1, is refused here at peer 2.
        let limited = try cluster.p2p(1, ["s3", "key", "create", "--bucket", "elsewhere", "--json"])
        #expect(limited.status == 0, "\(limited.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(limited.stdout.utf8)) as? [String: Any]
        let narrow = S3Clients.Key(id: document?["accessKeyId"] as? String ?? "", secret: document?["secretAccessKey"] as? String ?? "")
        let refused = try S3Clients.python(
            """
            print([b['Name'] for b in c.list_buckets()['Buckets']])
            c.get_object(Bucket='durable', Key='dir/object')
            """, cluster: cluster, peer: 2, key: narrow)
        #expect(refused.stdout.contains("[]"), "a limited key lists only its buckets: \(refused.stdout)")
        #expect(refused.status != 0 && refused.stderr.contains("AccessDenied"), "\(refused.stderr)")
    }

    /// Two gateways write one key at once: both end up serving the same object (the later
    /// write by their hybrid clocks), and it is one of the two that were written.
    @Test func twoGatewaysWritingOneKeyConvergeOnOneWinner() async throws {
        let cluster = try ProcessCluster(peers: 3, s3: true)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let key = try S3Clients.createKey(cluster, peer: 0)
        #expect(try S3Clients.python("c.create_bucket(Bucket='race')", cluster: cluster, peer: 0, key: key).status == 0)
        async let first = S3Clients.pythonAsync(
            "for i in range(20): c.put_object(Bucket='race', Key='k', Body=b'from-0-%d' % i)", cluster: cluster, peer: 0, key: key)
        async let second = S3Clients.pythonAsync(
            "for i in range(20): c.put_object(Bucket='race', Key='k', Body=b'from-1-%d' % i)", cluster: cluster, peer: 1, key: key)
        let (a, b) = try await (first, second)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        let read = "print(c.get_object(Bucket='race', Key='k')['Body'].read().decode())"
        var answers: [String] = []
        let converged = await Daemon.eventually(timeout: .seconds(30)) {
            answers = (0..<3).compactMap { peer in
                (try? S3Clients.python(read, cluster: cluster, peer: peer, key: key)).map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            return answers.count == 3 && Set(answers).count == 1
        }
        #expect(converged, "the gateways answer \(answers)")
        #expect(answers.first == "from-0-19" || answers.first == "from-1-19", "\(answers)")
    }

    /// Removing an object ends this owner's reference to its file once no other key uses
    /// it: the same content under two keys stays stored until both are deleted.
    @Test func deletingObjectsReleasesTheirFile() async throws {
        let cluster = try ProcessCluster(peers: 3, environment: ["P2P_S3_RELEASE_QUIET": "1s"], s3: true)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let key = try S3Clients.createKey(cluster, peer: 0)
        let put = try S3Clients.python(
            """
            c.create_bucket(Bucket='gc-test')
            body = bytes(range(256)) * 4096
            c.put_object(Bucket='gc-test', Key='one', Body=body)
            c.put_object(Bucket='gc-test', Key='two', Body=body)
            """, cluster: cluster, peer: 0, key: key)
        #expect(put.status == 0, "\(put.stderr)")
        func s3Files() throws -> Int {
            let listed = try cluster.p2p(0, ["ls", "--json"])
            return listed.stdout.components(separatedBy: "\"source\":\"s3\"").count - 1
        }
        #expect(try s3Files() == 1, "one file for both keys (convergent)")
        #expect(try S3Clients.python("c.delete_object(Bucket='gc-test', Key='one')", cluster: cluster, peer: 0, key: key).status == 0)
        // Two release passes after the quiet time, the file is still used by `two`.
        func passes() -> Int { cluster.log(0).components(separatedBy: "S3 release pass").count - 1 }
        let before = passes()
        #expect(await Daemon.eventually(timeout: .seconds(40)) { passes() >= before + 2 })
        #expect(try s3Files() == 1, "still used by the other key")
        #expect(try S3Clients.python("c.delete_object(Bucket='gc-test', Key='two')", cluster: cluster, peer: 0, key: key).status == 0)
        #expect(await Daemon.eventually(timeout: .seconds(40)) { (try? s3Files()) == 0 }, "released once no key uses it")
        let gone = try S3Clients.python("c.get_object(Bucket='gc-test', Key='two')", cluster: cluster, peer: 1, key: key)
        #expect(gone.status != 0 && gone.stderr.contains("NoSuchKey"), "\(gone.stderr)")
    }
}

/// The client suites and small boto3 scripts, run in the virtualenv `tools/s3-clients` keeps.
enum S3Clients {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    struct Key: Sendable {
        var id: String
        var secret: String
    }

    static func createKey(_ cluster: ProcessCluster, peer: Int) throws -> Key {
        let created = try cluster.p2p(peer, ["s3", "key", "create", "--name", "tests", "--json"])
        guard created.status == 0,
            let document = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any],
            let id = document["accessKeyId"] as? String, let secret = document["secretAccessKey"] as? String
        else { throw ClusterError(message: "s3 key create failed: \(created.stderr)") }
        return Key(id: id, secret: secret)
    }

    static func environment(_ cluster: ProcessCluster, peer: Int, key: Key) throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["S3_ENDPOINT"] = "http://127.0.0.1:\(cluster.s3Ports[peer])"
        environment["S3_ACCESS_KEY"] = key.id
        environment["S3_SECRET_KEY"] = key.secret
        environment["S3_REGION"] = "us-east-1"
        // Inside the cluster's folder, which its shutdown removes.
        let workdir = cluster.root + "/s3-client-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        environment["S3_WORKDIR"] = workdir
        return environment
    }

    static func runSuite(_ suite: String, cluster: ProcessCluster, peer: Int, key: Key) throws -> (status: Int32, stdout: String, stderr: String) {
        let path = root + "/Tests/S3Clients/" + suite
        let command = suite.hasSuffix(".py") ? [root + "/tools/s3-clients", "python", path] : ["/bin/bash", path]
        return try Daemon.run(Array(command.dropFirst()), binary: command[0], environment: try environment(cluster, peer: peer, key: key))
    }

    /// Runs `script` with `c`, a boto3 client for `peer`'s gateway, and `sys` imported.
    static func python(
        _ script: String, cluster: ProcessCluster, peer: Int, key: Key, arguments: [String] = []
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let prelude = """
            import os, sys, boto3
            from botocore.config import Config
            c = boto3.client('s3', endpoint_url=os.environ['S3_ENDPOINT'], aws_access_key_id=os.environ['S3_ACCESS_KEY'],
                aws_secret_access_key=os.environ['S3_SECRET_KEY'], region_name='us-east-1',
                config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))

            """
        return try Daemon.run(
            ["python", "-c", prelude + script] + arguments, binary: root + "/tools/s3-clients",
            environment: try environment(cluster, peer: peer, key: key))
    }

    static func pythonAsync(_ script: String, cluster: ProcessCluster, peer: Int, key: Key) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await Task.detached { try python(script, cluster: cluster, peer: peer, key: key) }.value
    }
}

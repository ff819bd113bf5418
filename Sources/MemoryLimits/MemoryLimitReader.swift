import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the limits that bound this process from the system, or from files a test hands in.
///
/// Everything it reads goes through `readFile`, so the parsing of `/proc/self/status`,
/// `/proc/self/cgroup`, `/proc/self/mountinfo` and the cgroup files is tested on any host.
public struct MemoryLimitReader: Sendable {
    /// A file's text, nil when it cannot be read.
    public var readFile: @Sendable (String) -> String?
    public var physicalMemory: Int
    /// The soft RLIMIT_AS and RLIMIT_DATA in bytes, nil when unlimited.
    public var addressSpaceLimit: Int?
    public var dataLimit: Int?

    public init(readFile: @escaping @Sendable (String) -> String?, physicalMemory: Int,
                addressSpaceLimit: Int? = nil, dataLimit: Int? = nil) {
        self.readFile = readFile
        self.physicalMemory = physicalMemory
        self.addressSpaceLimit = addressSpaceLimit
        self.dataLimit = dataLimit
    }

    /// This process's limits. /proc and cgroups exist on Linux only; elsewhere (macOS) the
    /// bounds are physical memory and getrlimit's.
    public static var system: MemoryLimitReader {
        #if os(Linux)
        let readFile: @Sendable (String) -> String? = { path in
            // /proc files report a size of 0, so read to the end rather than by size.
            guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? handle.close() }
            return (try? handle.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
        }
        #else
        let readFile: @Sendable (String) -> String? = { _ in nil }
        #endif
        return MemoryLimitReader(readFile: readFile, physicalMemory: Int(clamping: ProcessInfo.processInfo.physicalMemory),
                                 addressSpaceLimit: softLimit(addressSpace: true), dataLimit: softLimit(addressSpace: false))
    }

    /// The least of every limit that applies.
    public var effective: MemoryLimit {
        MemoryLimit.least(of: limits, physicalMemory: physicalMemory)
    }

    /// Every limit that applies: physical memory, the resource limits, and each limited
    /// level of the process's cgroup (a Slurm job's limit often sits on a parent of the
    /// step's cgroup, so the whole path up is read).
    public var limits: [MemoryLimit] {
        var limits = [MemoryLimit(source: .physicalMemory, limit: physicalMemory)]
        let status = readFile("/proc/self/status") ?? ""
        if let addressSpaceLimit {
            limits.append(MemoryLimit(source: .addressSpace, limit: addressSpaceLimit,
                                      inUse: Self.statusBytes("VmSize", in: status) ?? 0))
        }
        if let dataLimit {
            limits.append(MemoryLimit(source: .dataSegment, limit: dataLimit, inUse: Self.statusBytes("VmData", in: status) ?? 0))
        }
        let memberships = Self.cgroupMemberships(readFile("/proc/self/cgroup") ?? "")
        let mounts = Self.cgroupMounts(readFile("/proc/self/mountinfo") ?? "")
        if let path = memberships.unified {
            limits += cgroupLimits(mount: mounts.unified ?? Mount(root: "/", point: "/sys/fs/cgroup"), path: path, version: .v2)
        }
        if let path = memberships.memory {
            limits += cgroupLimits(mount: mounts.memory ?? Mount(root: "/", point: "/sys/fs/cgroup/memory"), path: path, version: .v1)
        }
        return limits
    }

    // MARK: - cgroups

    /// Where a cgroup hierarchy is mounted: `root` is the hierarchy's directory shown at `point`.
    public struct Mount: Sendable, Equatable {
        public var root: String
        public var point: String

        public init(root: String, point: String) {
            self.root = root
            self.point = point
        }
    }

    enum CgroupVersion {
        case v1, v2

        var limitFile: String { self == .v2 ? "memory.max" : "memory.limit_in_bytes" }
        var usageFile: String { self == .v2 ? "memory.current" : "memory.usage_in_bytes" }
        var inactiveFileKey: String { self == .v2 ? "inactive_file" : "total_inactive_file" }
    }

    /// The limited levels from the process's cgroup up to the hierarchy's root.
    func cgroupLimits(mount: Mount, path: String, version: CgroupVersion) -> [MemoryLimit] {
        // Without a cgroup namespace a container sees its host path, and its own cgroup is
        // mounted as the root: drop the mount's root from the path when it starts with it.
        var relative = path
        if mount.root != "/", relative.hasPrefix(mount.root) { relative = String(relative.dropFirst(mount.root.count)) }
        let components = relative.split(separator: "/").map(String.init)
        var limits: [MemoryLimit] = []
        for depth in stride(from: components.count, through: 0, by: -1) {
            let directory = ([mount.point] + components.prefix(depth)).joined(separator: "/")
            let file = directory + "/" + version.limitFile
            guard let text = readFile(file), let limit = Self.cgroupLimit(text) else { continue }
            let usage = readFile(directory + "/" + version.usageFile).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            // Page cache the kernel reclaims before it kills is not memory the process holds.
            let inactive = readFile(directory + "/memory.stat").flatMap { Self.statValue(version.inactiveFileKey, in: $0) } ?? 0
            limits.append(MemoryLimit(source: version == .v2 ? .cgroupV2(file: file) : .cgroupV1(file: file),
                                      limit: limit, inUse: max(0, usage - inactive)))
        }
        return limits
    }

    /// A cgroup limit file's bytes; nil for "max" (v2's no limit), for v1's "no limit"
    /// (2^63 rounded down to a page, or any value from 2^60 up, which no machine has), and
    /// for anything unreadable.
    public static func cgroupLimit(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int(trimmed), value > 0, value < 1 << 60 else { return nil }
        return value
    }

    /// The cgroup paths in /proc/self/cgroup: the unified (v2) hierarchy's line `0::PATH`
    /// and the v1 memory controller's `N:…memory…:PATH`.
    public static func cgroupMemberships(_ text: String) -> (unified: String?, memory: String?) {
        var unified: String?, memory: String?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            if fields[0] == "0", fields[1].isEmpty {
                unified = path
            } else if fields[1].split(separator: ",").contains("memory") {
                memory = path
            }
        }
        return (unified, memory)
    }

    /// Where the cgroup2 hierarchy and the v1 memory controller are mounted, from
    /// /proc/self/mountinfo ("ID PARENT MAJ:MIN ROOT POINT OPTIONS … - TYPE SOURCE SUPEROPTIONS").
    public static func cgroupMounts(_ text: String) -> (unified: Mount?, memory: Mount?) {
        var unified: Mount?, memory: Mount?
        for line in text.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count >= 2 else { continue }
            let before = halves[0].split(separator: " ").map(String.init)
            let after = halves[1].split(separator: " ").map(String.init)
            guard before.count >= 5, after.count >= 3 else { continue }
            let mount = Mount(root: unescape(before[3]), point: unescape(before[4]))
            if after[0] == "cgroup2", unified == nil {
                unified = mount
            } else if after[0] == "cgroup", memory == nil, after[2].split(separator: ",").contains("memory") {
                memory = mount
            }
        }
        return (unified, memory)
    }

    /// mountinfo writes a space, tab, newline or backslash in a path as an octal escape (`\040`).
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var result = "", characters = Array(field), index = 0
        while index < characters.count {
            if characters[index] == "\\", index + 3 < characters.count,
               let code = UInt8(String(characters[index + 1 ... index + 3]), radix: 8) {
                result.append(Character(Unicode.Scalar(code)))
                index += 4
            } else {
                result.append(characters[index])
                index += 1
            }
        }
        return result
    }

    /// A `KEY VALUE` line's value in a cgroup's memory.stat.
    public static func statValue(_ key: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == key { return Int(fields[1]) }
        }
        return nil
    }

    // MARK: - /proc/self/status and getrlimit

    /// A `Name:   1234 kB` field of /proc/self/status, in bytes.
    public static func statusBytes(_ name: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let fields = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let value = fields.first.flatMap({ Int($0) }) else { return nil }
            let unit = fields.dropFirst().first?.lowercased()
            let (bytes, overflow) = value.multipliedReportingOverflow(by: unit == "kb" ? 1024 : 1)
            return overflow ? nil : bytes
        }
        return nil
    }

    /// The soft limit of RLIMIT_AS (or RLIMIT_DATA), nil when unlimited.
    static func softLimit(addressSpace: Bool) -> Int? {
        var value = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t((addressSpace ? RLIMIT_AS : RLIMIT_DATA).rawValue)
        #else
        let resource = addressSpace ? RLIMIT_AS : RLIMIT_DATA
        #endif
        guard getrlimit(resource, &value) == 0 else { return nil }
        // RLIM_INFINITY is all ones on Linux and 2^63 − 1 on Darwin.
        return value.rlim_cur >= rlim_t(Int.max) ? nil : Int(value.rlim_cur)
    }
}

import Foundation

/// How many bytes gq may still allocate, and which limit says so.
///
/// A process is bounded by more than the machine's memory: `ulimit -v` (RLIMIT_AS) and
/// `ulimit -d` (RLIMIT_DATA) cap its own mappings, and a container's or a Slurm job's cgroup
/// caps what its processes hold together. Past any of these the process is killed (or its
/// allocation fails, which Swift turns into a crash), so a run that would pass one is
/// refused before it starts instead, with the limit named.
public struct MemoryLimit: Sendable, Equatable {
    /// Where a bound on the process's memory comes from.
    public enum Source: Sendable, Equatable {
        case physicalMemory
        /// cgroup v2 `memory.max` (a container's memory, a Slurm job's `--mem`, systemd's MemoryMax).
        case cgroupV2(file: String)
        /// cgroup v1 `memory.limit_in_bytes`.
        case cgroupV1(file: String)
        /// RLIMIT_AS, `ulimit -v`: every mapping of the process counts against it.
        case addressSpace
        /// RLIMIT_DATA, `ulimit -d`: the process's private writable mappings count against it.
        case dataSegment
        /// A setting (an environment variable such as `GQ_MAX_TRAINING_MEMORY`) that replaces the default.
        case setting(String)

        /// The limit's name as a user would look it up.
        public var name: String {
            switch self {
            case .physicalMemory: return "physical memory"
            case .cgroupV2(let file): return "cgroup memory.max (\(file))"
            case .cgroupV1(let file): return "cgroup memory.limit_in_bytes (\(file))"
            case .addressSpace: return "RLIMIT_AS (ulimit -v)"
            case .dataSegment: return "RLIMIT_DATA (ulimit -d)"
            case .setting(let name): return name
            }
        }

        /// How a user raises the limit.
        public var advice: String {
            switch self {
            case .physicalMemory: return "use a machine with more memory"
            case .cgroupV2, .cgroupV1:
                return "give the container or job more memory (docker --memory, Slurm --mem, systemd MemoryMax)"
            case .addressSpace: return "raise 'ulimit -v' (or set it to unlimited)"
            case .dataSegment: return "raise 'ulimit -d' (or set it to unlimited)"
            case .setting(let name): return "raise \(name)"
            }
        }
    }

    public var source: Source
    /// What the source allows in all.
    public var limit: Int
    /// What already counts against it: the process's virtual size for RLIMIT_AS, its data
    /// for RLIMIT_DATA, the cgroup's usage less reclaimable page cache for a cgroup.
    public var inUse: Int

    public init(source: Source, limit: Int, inUse: Int = 0) {
        self.source = source
        self.limit = limit
        self.inUse = inUse
    }

    /// A setting's bytes, taken as they are.
    public static func setting(_ name: String, bytes: Int) -> MemoryLimit {
        MemoryLimit(source: .setting(name), limit: bytes)
    }

    /// The bytes gq may still take under this limit.
    ///
    /// Physical memory is shared with every other process, whose use is not counted, so
    /// only half of it is gq's (the rule before the process's own limits were read). Under
    /// the process's own limits the room left keeps a quarter of itself, and at least
    /// 64 MiB, as headroom: thread stacks, allocator arenas and the program's own data are
    /// not in the estimates this bound is compared with. A setting is taken as it is.
    public var bytes: Int {
        switch source {
        case .physicalMemory: return limit / 2
        case .setting: return limit
        default:
            let room = max(0, limit - inUse)
            return max(0, room - max(room / 4, 64 << 20))
        }
    }

    /// The limit in words for an error past it: "RLIMIT_AS (ulimit -v) of 717 MB, 240 MB
    /// of it in use".
    public var explanation: String {
        switch source {
        case .physicalMemory: return "half of this machine's \(ByteCount.text(limit)) of physical memory"
        case .setting(let name): return name
        default:
            let used = inUse > 0 ? ", \(ByteCount.text(inUse)) of it in use" : ""
            return "\(source.name) of \(ByteCount.text(limit))\(used), less headroom"
        }
    }

    /// The least of `limits` by the bytes gq may take; physical memory when there are none.
    public static func least(of limits: [MemoryLimit], physicalMemory: Int) -> MemoryLimit {
        limits.min { $0.bytes < $1.bytes } ?? MemoryLimit(source: .physicalMemory, limit: physicalMemory)
    }

    /// The process's effective limit, read now (what the process holds changes as it runs,
    /// so callers read it when they are about to allocate, not once at start).
    public static func current() -> MemoryLimit {
        MemoryLimitReader.system.effective
    }
}

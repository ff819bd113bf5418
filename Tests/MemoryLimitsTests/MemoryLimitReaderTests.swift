import Foundation
import MemoryLimits
import Testing

/// A reader over files the test writes, so nothing depends on the host's limits.
private func reader(_ files: [String: String], physical: Int = 64 << 30,
                    addressSpace: Int? = nil, data: Int? = nil) -> MemoryLimitReader {
    MemoryLimitReader(readFile: { files[$0] }, physicalMemory: physical, addressSpaceLimit: addressSpace, dataLimit: data)
}

private let status = """
    Name:\tgq
    VmPeak:\t  412000 kB
    VmSize:\t  250000 kB
    VmData:\t  120000 kB
    VmRSS:\t   40000 kB
    """

private let hybridMountinfo = """
    31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
    35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
    36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
    41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
    """

@Suite("The process's effective memory limit: read from /proc, cgroups and getrlimit")
struct MemoryLimitReaderTests {
    @Test("/proc/self/status fields are read in bytes, and a missing or garbled one is nil")
    func statusFields() {
        #expect(MemoryLimitReader.statusBytes("VmSize", in: status) == 250_000 * 1024)
        #expect(MemoryLimitReader.statusBytes("VmData", in: status) == 120_000 * 1024)
        #expect(MemoryLimitReader.statusBytes("VmSwap", in: status) == nil)
        #expect(MemoryLimitReader.statusBytes("VmSize", in: "VmSize:\tlots kB") == nil)
    }

    @Test("/proc/self/cgroup gives the unified path (0::) and the v1 memory controller's, even when it shares a line")
    func memberships() {
        let hybrid = "9:name=systemd:/\n4:memory:/process_api/450359bb\n0::/\n"
        #expect(MemoryLimitReader.cgroupMemberships(hybrid).unified == "/")
        #expect(MemoryLimitReader.cgroupMemberships(hybrid).memory == "/process_api/450359bb")
        let joined = "5:cpuacct,memory:/slurm/uid_1000/job_42\n"
        #expect(MemoryLimitReader.cgroupMemberships(joined).memory == "/slurm/uid_1000/job_42")
        #expect(MemoryLimitReader.cgroupMemberships(joined).unified == nil)
        #expect(MemoryLimitReader.cgroupMemberships("0::/user.slice/a b.scope\n").unified == "/user.slice/a b.scope")
    }

    @Test("mountinfo gives where cgroup2 and the v1 memory controller are mounted, escapes undone")
    func mounts() {
        let mounts = MemoryLimitReader.cgroupMounts(hybridMountinfo)
        #expect(mounts.unified == .init(root: "/", point: "/sys/fs/cgroup/unified"))
        #expect(mounts.memory == .init(root: "/", point: "/sys/fs/cgroup/memory"))
        let escaped = MemoryLimitReader.cgroupMounts("40 1 0:9 /docker/abc /my\\040cgroup rw shared:1 - cgroup2 cgroup2 rw\n")
        #expect(escaped.unified == .init(root: "/docker/abc", point: "/my cgroup"))
    }

    @Test("'max', v1's page-rounded 2^63 and other absurd values mean no limit")
    func noLimitValues() {
        #expect(MemoryLimitReader.cgroupLimit("max\n") == nil)
        #expect(MemoryLimitReader.cgroupLimit("9223372036854771712\n") == nil)
        #expect(MemoryLimitReader.cgroupLimit("1152921504606846976") == nil)
        #expect(MemoryLimitReader.cgroupLimit("0") == nil)
        #expect(MemoryLimitReader.cgroupLimit("536870912\n") == 536_870_912)
    }

    @Test("cgroup v2: the least memory.max on the path up from the process's cgroup, less its usage without inactive page cache")
    func cgroupV2() {
        let files = [
            "/proc/self/cgroup": "0::/slurm/job_42/step_0\n",
            "/proc/self/mountinfo": "29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
            "/sys/fs/cgroup/slurm/job_42/step_0/memory.max": "max\n",
            "/sys/fs/cgroup/slurm/job_42/memory.max": "2147483648\n",
            "/sys/fs/cgroup/slurm/job_42/memory.current": "1073741824\n",
            "/sys/fs/cgroup/slurm/job_42/memory.stat": "anon 500000000\nfile 600000000\ninactive_file 536870912\n",
            "/sys/fs/cgroup/slurm/memory.max": "68719476736\n",
        ]
        let limit = reader(files).effective
        #expect(limit.source == .cgroupV2(file: "/sys/fs/cgroup/slurm/job_42/memory.max"))
        #expect(limit.limit == 2 << 30 && limit.inUse == 512 << 20)
        // 1.5 GiB of room keeps a quarter of itself.
        #expect(limit.bytes == (3 << 29) - (3 << 27))
        #expect(limit.source.name == "cgroup memory.max (/sys/fs/cgroup/slurm/job_42/memory.max)")
    }

    @Test("cgroup v1: memory.limit_in_bytes of the memory controller's cgroup, a container's own root when its host path is not mounted")
    func cgroupV1() {
        let files = [
            "/proc/self/cgroup": "4:memory:/docker/abc\n0::/\n",
            "/proc/self/mountinfo": "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "629145600\n",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes": "104857600\n",
            "/sys/fs/cgroup/memory/memory.stat": "cache 0\ntotal_inactive_file 0\n",
        ]
        let limit = reader(files).effective
        #expect(limit.source == .cgroupV1(file: "/sys/fs/cgroup/memory/memory.limit_in_bytes"))
        #expect(limit.inUse == 100 << 20)
        #expect(limit.bytes == (500 << 20) - (125 << 20))
    }

    @Test("the host's hybrid layout with unlimited v1 and v2 cgroups leaves physical memory, half of it gq's")
    func unlimitedCgroups() {
        let files = [
            "/proc/self/cgroup": "4:memory:/process_api/x\n0::/\n",
            "/proc/self/mountinfo": hybridMountinfo,
            "/sys/fs/cgroup/memory/process_api/x/memory.limit_in_bytes": "9223372036854771712\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
        ]
        let limit = reader(files, physical: 24 << 30).effective
        #expect(limit.source == .physicalMemory && limit.bytes == 12 << 30)
        #expect(limit.explanation == "half of this machine's 25.8 GB of physical memory")
    }

    @Test("RLIMIT_AS counts the virtual size already mapped; RLIMIT_DATA the data")
    func resourceLimits() {
        let files = ["/proc/self/status": status]
        let addressSpace = reader(files, addressSpace: 700_000 * 1024).effective
        #expect(addressSpace.source == .addressSpace && addressSpace.inUse == 250_000 * 1024)
        #expect(addressSpace.bytes == 450_000 * 1024 - 450_000 * 256)
        #expect(addressSpace.explanation == "RLIMIT_AS (ulimit -v) of 717 MB, 256 MB of it in use, less headroom")
        #expect(addressSpace.source.advice == "raise 'ulimit -v' (or set it to unlimited)")
        let data = reader(files, addressSpace: 4 << 30, data: 300 << 20).effective
        #expect(data.source == .dataSegment && data.inUse == 120_000 * 1024)
    }

    @Test("a limit already used up leaves nothing rather than a negative size, and a small room keeps 64 MiB")
    func exhausted() {
        #expect(MemoryLimit(source: .addressSpace, limit: 100 << 20, inUse: 200 << 20).bytes == 0)
        #expect(MemoryLimit(source: .addressSpace, limit: 300 << 20, inUse: 100 << 20).bytes == 136 << 20)
        #expect(MemoryLimit.setting("GQ_MAX_TRAINING_MEMORY", bytes: 5000).bytes == 5000)
    }

    @Test("this process's limit is never more than half of physical memory, and names a source")
    func system() {
        let limit = MemoryLimit.current()
        #expect(limit.bytes <= Int(clamping: ProcessInfo.processInfo.physicalMemory) / 2)
        #expect(!limit.source.name.isEmpty)
    }
}

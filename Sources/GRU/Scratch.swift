/// A growable, uninitialised-on-growth float buffer for the hot loops.
///
/// The forward and backward passes run on raw pointers; holding them in a class
/// lets one workspace be reused across batches without reallocating.
public final class Scratch {
    public private(set) var pointer: UnsafeMutablePointer<Float>
    public private(set) var capacity: Int

    public init(_ capacity: Int = 16) {
        self.capacity = max(capacity, 16)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// At least `count` floats; contents are kept only when no growth is needed.
    @discardableResult
    public func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = count
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
        }
        return pointer
    }

    /// At least `count` floats, the first `count` set to zero.
    @discardableResult
    public func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = reserve(count)
        p.update(repeating: 0, count: count)
        return p
    }
}

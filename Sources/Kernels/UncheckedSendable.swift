/// Safe unchecked: every use hands worker threads disjoint memory, or a value nobody mutates while they run.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

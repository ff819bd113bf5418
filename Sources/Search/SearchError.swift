/// Everything that can go wrong when setting up, saving or resuming a search.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// The genome space is unusable (no genes, an empty or repeated value list, ...).
    case invalidSpace(String)
    /// An option is out of range.
    case invalidOptions(String)
    /// `NSGA2Options.initialGenomes[index]` does not belong to the genome space.
    case invalidInitialGenome(index: Int, reason: String)
    /// A checkpoint file could not be read.
    case checkpointUnreadable(path: String, reason: String)
    /// A checkpoint file was read but is not a valid checkpoint.
    case checkpointMalformed(path: String, reason: String)
    /// A checkpoint could not be written.
    case checkpointUnwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSpace(let why):
            return "invalid genome space: \(why)"
        case .invalidOptions(let why):
            return "invalid search options: \(why)"
        case .invalidInitialGenome(let index, let reason):
            return "initial genome #\(index + 1) is not in the genome space: \(reason)"
        case .checkpointUnreadable(let path, let reason):
            return "cannot read checkpoint '\(path)': \(reason)"
        case .checkpointMalformed(let path, let reason):
            return "'\(path)' is not a usable search checkpoint: \(reason); was it written by 'evolve' of this version?"
        case .checkpointUnwritable(let path, let reason):
            return "cannot write checkpoint '\(path)': \(reason); check that the folder exists and is writable"
        }
    }
}

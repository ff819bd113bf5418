import Foundation
import Shell
import Testing

@Suite("State that carries over is said out loud")
struct SilentStateTests {
    @Test("bits that survive load task are named with the way back to 8-bit")
    func bitsCarryOver() throws {
        let out = try run("load task digits\nset bits gate.z=4\nload task digits seed 2")
        #expect(out.last == "bits all=8 gate.z=4 carry over from before; 'reset bits' returns to homogeneous 8-bit")
        let plain = try run("load task digits\nload task digits seed 2")
        #expect(!plain.contains { $0.contains("carry over") })
    }

    @Test("save model after finetune says the file holds the float weights; 'tuned' saves the fine-tuned ones")
    func saveTuned() throws {
        let directory = temporaryFolder("save-tuned")
        let out = try run("""
            load task digits
            train epochs 3 hidden 8
            set quant refine off
            set bits all=3
            finetune epochs 2
            save model \(directory.path)/float.safetensors
            save model \(directory.path)/tuned.safetensors tuned
            """)
        #expect(out.contains { $0.hasPrefix("note: 'eval' uses fine-tuned weights, which this file does not hold;") })
        #expect(out.contains { $0.hasPrefix("saved the fine-tuned model (") })
        let float = try Data(contentsOf: directory.appendingPathComponent("float.safetensors"))
        let tuned = try Data(contentsOf: directory.appendingPathComponent("tuned.safetensors"))
        #expect(float != tuned)
    }

    @Test("save model tuned with nothing fine-tuned says what makes some; a stray word is named")
    func saveTunedErrors() {
        let error = failure("load task digits\ntrain epochs 1 hidden 8\nsave model /tmp/x.safetensors tuned")
        #expect(error?.message == "there are no fine-tuned weights to save: 'finetune' makes some")
        let stray = failure("save model a.safetensors tunde")
        #expect(stray?.message == "expected 'tuned' or nothing after the file, got 'tunde'")
        #expect(stray?.location.column == 26)
    }

    @Test("evolve on fine-tuned weights says which weights it searches")
    func evolveOnTuned() throws {
        let directory = temporaryFolder("evolve-tuned")
        let out = try run("""
            load task digits
            train epochs 3 hidden 8
            set bits all=3
            finetune epochs 2
            evolve 1 gens pop 8 checkpoint \(directory.path)/t.json
            """)
        #expect(out.contains { $0.hasPrefix("note: the search evaluates the fine-tuned weights in use (") })
    }
}

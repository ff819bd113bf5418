import Foundation
import Testing

@Suite("The gq binary: arguments, scripts, pipes and exit statuses")
struct CommandLineTests {
    @Test("--version prints the version and exits 0")
    func version() throws {
        let result = try GQProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.out.hasPrefix("gq "))
    }

    @Test("--help prints usage and exits 0")
    func help() throws {
        let result = try GQProcess.run(["--help"])
        #expect(result.status == 0)
        #expect(result.out.contains("usage: gq"))
    }

    @Test("an unknown option is a usage error with status 2")
    func unknownOption() throws {
        let result = try GQProcess.run(["--bogus"])
        #expect(result.status == 2)
        #expect(result.err.hasPrefix("gq: unknown option '--bogus'\nusage: gq"))
    }

    @Test("-c without commands is a usage error with status 2")
    func dashCWithoutCommands() throws {
        let result = try GQProcess.run(["-c"])
        #expect(result.status == 2)
        #expect(result.err.contains("option -c needs the commands to run"))
    }

    @Test("a missing script file is a usage error with status 2")
    func missingScript() throws {
        let result = try GQProcess.run(["/nonexistent/tour.gq"])
        #expect(result.status == 2)
        #expect(result.err == "gq: /nonexistent/tour.gq: no such file\n")
    }

    @Test("-c runs commands separated by semicolons, with arguments")
    func oneLiners() throws {
        let result = try GQProcess.run(["-c", "echo hello $1; let x = 2 * 3; echo $x", "world"])
        #expect(result.status == 0)
        #expect(result.out == "hello world\n6\n")
        #expect(result.err.isEmpty)
    }

    @Test("a -c error names -c, the line and column, and exits 1 before any command runs")
    func oneLinerError() throws {
        let result = try GQProcess.run(["-c", "echo hi; trian"])
        #expect(result.status == 1)
        #expect(result.out == "")
        #expect(result.err == "-c:1:10: error: unknown command 'trian' (did you mean 'train'?); 'help' lists commands\n")
    }

    @Test("every unknown command and malformed argument of a script is reported before anything runs")
    func checkedBeforeRunning() throws {
        let directory = GQProcess.temporaryDirectory()
        let script = try GQProcess.write("echo first\nset seed 3\nbogus 1\nset bits gate.q=4\n", to: "c.gq", in: directory)
        let result = try GQProcess.run([script.path])
        #expect(result.status == 1)
        #expect(result.out == "")
        let lines = result.err.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "\(script.path):3:1: error: unknown command 'bogus'; 'help' lists commands")
        #expect(lines.last?.hasPrefix("\(script.path):4:10: error: unknown operator 'gate.q' (did you mean 'gate.r'?)") == true)
    }

    @Test("a script stops at its first error with FILE:LINE:COL and status 1")
    func scriptStopsAtFirstError() throws {
        let directory = GQProcess.temporaryDirectory()
        let script = try GQProcess.write("echo one\nlet x = 1\nassert x > 2\necho never\n", to: "s.gq", in: directory)
        let result = try GQProcess.run([script.path])
        #expect(result.status == 1)
        #expect(result.out == "one\n")
        #expect(result.err == "\(script.path):3:1: error: assertion failed: x > 2 (x = 1)\n")
    }

    @Test("a script gets its arguments as $1, $2")
    func scriptArguments() throws {
        let directory = GQProcess.temporaryDirectory()
        let script = try GQProcess.write("for a in $1 $2 { echo arg $a }\necho $#\n", to: "args.gq", in: directory)
        let result = try GQProcess.run([script.path, "digits", "out.csv"])
        #expect(result.out == "arg digits\narg out.csv\n2\n")
    }

    @Test("#!/usr/bin/env gq makes a script executable")
    func shebang() throws {
        let directory = GQProcess.temporaryDirectory()
        let script = try GQProcess.write("#!/usr/bin/env gq\necho from shebang $1\n", to: "run.gq", in: directory)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        // A child another test forks while the script is still open for writing holds that
        // descriptor until it execs, and exec'ing the script then fails with ETXTBSY: retried.
        var attempt = 0
        func launch() throws -> GQProcess.Result {
            do {
                return try GQProcess.run(["x"], executable: script)
            } catch let error as NSError where attempt < 50
                && (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ETXTBSY) {
                attempt += 1
                sched_yield()
                return try launch()
            }
        }
        let result = try launch()
        #expect(result.status == 0)
        #expect(result.out == "from shebang x\n")
    }

    @Test("piped stdin runs without prompts and stops at the first error")
    func pipedInput() throws {
        let result = try GQProcess.run([], stdin: "echo a\nfor b in 1..2 {\n  echo $b\n}\nshow tsk\necho never\n")
        #expect(result.status == 1)
        #expect(result.out == "a\n1\n2\n")
        #expect(result.err == "<stdin>:5:6: error: unknown subject 'tsk' for 'show' (did you mean 'task'?); try 'show task', 'show model', 'show ops', 'show bits', 'show quant', 'show error', 'show front', 'show vars'\n")
    }

    @Test("exit N leaves with status N")
    func exitStatus() throws {
        #expect(try GQProcess.run(["-c", "exit 7"]).status == 7)
    }

    @Test("no colour codes when output is not a terminal")
    func noColour() throws {
        let result = try GQProcess.run(["-c", "trian"])
        #expect(!result.err.contains("\u{1B}["))
    }
}

import CWeightInit
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels
import WeightInitC

/// libFuzzer calls this with each input; its first byte chooses the surface
/// and the rest is that surface's input:
///
/// - 0: a rules file (`RuleSet(json:name:)`), then planned over a small
///   manifest whose names include control characters and a long name;
/// - 1: a Hugging Face `config.json` (`ModelConfig(json:path:)`, its
///   manifest, variables and plan with the family's rule set);
/// - 2, 3: a glob (2) or regex (3) and a name, split at the first NUL
///   byte: matched as a rule matches; a regex's work must stay within the
///   bound it promises, and on short inputs its match and captures must be
///   Swift `Regex.wholeMatch`'s;
/// - 4: scheme text through the C ABI (`weightinit_scheme_parse`, cut at
///   the first NUL as C sees it); a parsed scheme's description parses back
///   to the same description; `weightinit_name_stream` on the same bytes.
///
/// Every error must be typed (a `ModelError` of kind invalidInput, or a
/// status other than WEIGHTINIT_OK) and its message one safe line of at most
/// 2000 characters (plus the "…(N characters)" tail of the C ABI's bound).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 5 {
    case 0: checkRules(bytes)
    case 1: checkConfig(bytes)
    case 2: checkPattern(bytes, regex: false)
    case 3: checkPattern(bytes, regex: true)
    default: checkSchemeText(bytes)
    }
    return 0
}

/// Names a rule set is planned over: ordinary ones, one with terminal
/// control characters, one at the longest a manifest allows.
private let manifest = ModelManifest([
    .init(name: "model.embed_tokens.weight", shape: [8, 4]),
    .init(name: "model.layers.0.self_attn.q_proj.weight", shape: [4, 4], dtype: .bf16),
    .init(name: "model.layers.0.self_attn.q_proj.bias", shape: [4]),
    .init(name: "h.0.attn.c_proj.weight", shape: [4, 12]),
    .init(name: "conv.weight", shape: [4, 2, 3, 3]),
    .init(name: "bn.running_mean", shape: [4], dtype: .f16),
    .init(name: "odd\u{1B}[31m\u{7}.weight", shape: [2, 2]),
    .init(name: String(repeating: "a.", count: 200) + "weight", shape: [3, 5]),
])

private func checkRules(_ bytes: [UInt8]) {
    let rules: RuleSet
    do { rules = try RuleSet(json: bytes, name: "fuzz-rules.json") } catch {
        checkModelError(error)
        return
    }
    do {
        let plan = try ModelPlan(manifest: manifest, rules: rules, seed: 1, variables: ["initializer_range": .number(0.02), "n_layer": .number(2)])
        for tensor in plan.tensors {
            precondition(tensor.shape.allSatisfy { $0 >= 1 }, "a planned tensor with an empty dimension")
        }
    } catch {
        checkModelError(error)
    }
}

private func checkConfig(_ bytes: [UInt8]) {
    let config: ModelConfig
    do { config = try ModelConfig(json: bytes, path: "fuzz-config.json") } catch {
        checkModelError(error)
        return
    }
    _ = config.variables
    _ = config.architecture
    do {
        let tensors = try config.manifest().tensors
        precondition(tensors.allSatisfy { !$0.name.isEmpty && $0.shape.allSatisfy { $0 >= 1 } }, "a manifest tensor without a name or with an empty dimension")
        // Planning walks every tensor through the family's rules; bounded by the manifest's limit.
        if tensors.count <= 4096 { _ = try ModelPlan(config: config, seed: 2) }
    } catch {
        checkModelError(error)
    }
}

private func checkPattern(_ bytes: [UInt8], regex: Bool) {
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let pattern = String(decoding: bytes[..<split], as: UTF8.self)
    let name = split < bytes.count ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : "model.layers.0.weight"
    let captures: [String]?
    do { captures = try NamePatternProbe.match(pattern: pattern, regex: regex, name: name) } catch {
        checkModelError(error)
        return
    }
    if let captures { precondition(captures.first == name, "capture 0 is not the whole name") }
    guard regex else { return }
    // The promise of NameRegex: linear work.
    let counted = try! NamePatternProbe.regexWork(pattern: pattern, name: name)
    precondition(counted.captures == captures && counted.work <= counted.bound, "work \(counted.work) past the bound \(counted.bound)")
    // Short patterns and names (where Swift's backtracking stays fast): Swift's answer.
    guard pattern.unicodeScalars.count <= 48, name.unicodeScalars.count <= 12 else { return }
    let swift: Regex<AnyRegexOutput>
    do { swift = try Regex(pattern) } catch {
        preconditionFailure("accepted \(pattern.debugDescription), which Swift's Regex refuses: \(error)")
    }
    guard let match = try! swift.wholeMatch(in: name) else {
        precondition(captures == nil, "\(pattern.debugDescription) matches \(name.debugDescription); Swift's Regex says no")
        return
    }
    let expected = (0 ..< min(match.output.count, 10)).map { match.output[$0].substring.map(String.init) ?? "" }
    precondition(captures == expected, "\(pattern.debugDescription) on \(name.debugDescription): \(String(describing: captures)), Swift: \(expected)")
}

private func checkSchemeText(_ bytes: [UInt8]) {
    var text = bytes
    text.append(0)
    var scheme = weightinit_scheme()
    let status = text.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { weightinitSchemeParse($0.baseAddress, &scheme) }
    }
    guard status == WEIGHTINIT_OK else {
        checkCMessage(status)
        return
    }
    var buffer = [CChar](repeating: 0, count: 4096)
    var length = 0
    let described = weightinitSchemeDescribe(&scheme, &buffer, buffer.count, &length)
    precondition(described == WEIGHTINIT_OK, "a parsed scheme that describe refuses: \(described)")
    let description = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var again = weightinit_scheme()
    let reparsed = weightinitSchemeParse(description, &again)
    precondition(reparsed == WEIGHTINIT_OK, "the description \(description.debugDescription) does not parse back")
    var second = [CChar](repeating: 0, count: 4096)
    var secondLength = 0
    precondition(weightinitSchemeDescribe(&again, &second, second.count, &secondLength) == WEIGHTINIT_OK)
    precondition(second[..<secondLength] == buffer[..<length], "describe ∘ parse is not idempotent on \(description.debugDescription)")
    // A tiny fill: parse-time validation promised everything but the shape and dtype.
    var values = [Float](repeating: 0, count: 36)
    var shape: [Int64] = [6, 6]
    let filled = values.withUnsafeMutableBytes {
        weightinitFill(&scheme, $0.baseAddress, $0.count, WEIGHTINIT_F32, 2, &shape,
                       WEIGHTINIT_LAYOUT_TORCH, 0, 0, 7, 0, 1)
    }
    if filled != WEIGHTINIT_OK { checkCMessage(filled) }
    var stream: UInt32 = 0
    let named = text.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { weightinitNameStream($0.baseAddress, &stream) }
    }
    if named != WEIGHTINIT_OK { checkCMessage(named) }
}

/// A thrown error: a ModelError about the input, with a safe message.
private func checkModelError(_ error: any Error) {
    precondition((error as? any KindedError)?.kind == .invalidInput, "an error that is not an input error: \(error)")
    checkMessage(String(describing: error), limit: 2000)
}

/// weightinit_last_error() after a failing call: one safe line, bounded.
private func checkCMessage(_ status: weightinit_status) {
    guard let message = weightinit_last_error() else { preconditionFailure("status \(status) without a message") }
    let text = String(cString: message)
    precondition(!text.isEmpty, "status \(status) with an empty message")
    checkMessage(text, limit: 2000 + 40)
}

private func checkMessage(_ message: String, limit: Int) {
    precondition(!message.unicodeScalars.contains(where: TerminalText.isUnsafe), "unescaped text in: \(message.debugDescription)")
    precondition(message.unicodeScalars.count <= limit, "a \(message.unicodeScalars.count)-character message")
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("ModelFuzz_main")
public func modelFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzz($0, $1) }
}

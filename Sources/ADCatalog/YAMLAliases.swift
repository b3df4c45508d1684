// A bound on what YAML aliases expand to, checked on libyaml's events before Yams composes.
//
// Yams' composer substitutes every alias (`*a`) by the node its anchor (`&a`) names and
// hashes every mapping key to find duplicates. Anchors that alias each other ten at a time
// ("billion laughs") make a few hundred bytes stand for 10^9 nodes, and a key that is such
// an alias made the loader hash all of them: a 521-byte file hung it (fuzz/regressions/).
// Yams has no event API of its own, so this pass reads the events of the libyaml it bundles.
import CYaml

extension CaseLoader {
    /// The nodes that YAML aliases may stand for in one file, counted over every alias with
    /// the aliases inside the aliased node expanded.
    public static let maxAliasExpansion = 100_000

    /// An error at the alias whose expansion passes ``maxAliasExpansion``; nil otherwise,
    /// and for text libyaml cannot parse (the composer reports that, at the same place).
    static func aliasExpansionError(_ source: SourceFile) -> CatalogError? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        var text = source.text
        return text.withUTF8 { bytes -> CatalogError? in
            guard let start = bytes.baseAddress else { return nil }  // empty text: no aliases
            yaml_parser_set_input_string(&parser, start, bytes.count)
            /// The expanded node count of every anchor defined so far (a later anchor of the
            /// same name replaces it, as in Yams, across the file's documents).
            var anchored: [String: Int] = [:]
            /// The collections being read, each with its node count so far and its anchor.
            var open: [(count: Int, anchor: String?)] = []
            var expansion = 0
            func add(_ count: Int, anchor: UnsafeMutablePointer<yaml_char_t>?) {
                if let anchor { anchored[String(cString: anchor)] = count }
                if !open.isEmpty { open[open.count - 1].count += count }
            }
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    add(1, anchor: event.data.scalar.anchor)
                case YAML_SEQUENCE_START_EVENT:
                    open.append((1, event.data.sequence_start.anchor.map { String(cString: $0) }))
                case YAML_MAPPING_START_EVENT:
                    open.append((1, event.data.mapping_start.anchor.map { String(cString: $0) }))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let done = open.popLast() else { return nil }
                    if let name = done.anchor { anchored[name] = done.count }
                    add(done.count, anchor: nil)
                case YAML_ALIAS_EVENT:
                    let count = event.data.alias.anchor.flatMap { anchored[String(cString: $0)] } ?? 1
                    expansion += count
                    if expansion > maxAliasExpansion {
                        let mark = event.start_mark
                        return source.error(
                            "YAML aliases expand to more than \(maxAliasExpansion) nodes here (this one stands for \(count)): a case file needs few, if any; write the values out",
                            line: Int(mark.line) + 1, column: Int(mark.column) + 1)
                    }
                    add(count, anchor: nil)
                default:
                    continue
                }
            }
            return nil
        }
    }
}

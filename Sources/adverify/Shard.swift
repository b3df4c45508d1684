// `--shard K/N` of `run` and `selftest`: which share of the selection this process takes.
import ADCatalog
import ADVerify
import ArgumentParser

enum ShardOption {
    /// The shard `--shard` names, `nil` without the option. Anything but `K/N` with
    /// `1 <= K <= N` is a usage error (exit 2).
    static func parse(_ text: String?) throws -> Shard? {
        guard let text else { return nil }
        guard let shard = Shard(parsing: text) else {
            throw ValidationError("--shard: '\(CatalogError.visible(text))' is not K/N with 1 <= K <= N")
        }
        return shard
    }

    /// The share of the selected `items` that `shard` takes (all of them without a shard),
    /// in the selection's order. When that is none, says so on stdout: an empty shard is not
    /// an error, it runs nothing and writes reports without cases for `adverify merge`.
    static func share<T>(of items: [T], shard: Shard?, id: (T) -> String, noun: String) -> [T] {
        guard let shard else { return items }
        let share = shard.select(items, id: id)
        // An empty selection was already reported (as load errors) before sharding.
        if share.isEmpty, !items.isEmpty {
            Console.out("shard \(shard): none of the \(items.count) selected \(noun)\(items.count == 1 ? "" : "s") falls in this shard")
        }
        return share
    }
}

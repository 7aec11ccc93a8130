//! "Did you mean" suggestions for unknown names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
///
/// Names are compared case-insensitively. A candidate that starts with `name` (three characters or
/// more) wins, the least such; otherwise the candidate at the smallest edit distance, at most a third
/// of `name`'s length (at least 1), the least of those on a tie. Swapping two neighbouring characters
/// (`nmae` for `name`) is one edit, the commonest typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest_within(name, candidates, (name.chars().count() / 3).max(1))
}

/// [`closest`], with the greatest edit distance given: for names whose common parts (a namespace
/// such as `AWS::S3::`) should not widen it.
///
/// One cheap pass over the candidates: most are ruled out by their length or the kinds of character
/// they hold, a distance is computed only near the diagonal and given up on once it passes the best
/// so far, and at most [`DISTANCES`] are computed. Thousands of candidates (a catalog of resource
/// types, a pack's predicates asked for each of thousands of unknown calls) stay cheap.
pub fn closest_within<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, limit: usize) -> Option<&'a str> {
    let lowered = name.to_lowercase();
    // A name cut short, such as `deploy` for `deployment`, is a likely typo too.
    let by_prefix = lowered.len() >= 3;
    let target: Vec<char> = lowered.chars().collect();
    let target_kinds = char_kinds(&target);
    let mut scratch = Scratch::default();
    let mut prefixed: Option<&'a str> = None;
    let mut best: Option<(usize, &'a str)> = None;
    let mut distances = 0;
    for candidate in candidates {
        // Lowercasing keeps ASCII lengths: one this much shorter can neither start with the name nor be near it.
        if candidate.is_ascii() && name.is_ascii() && candidate.len() + limit < name.len() {
            continue;
        }
        scratch.load(candidate);
        if by_prefix && scratch.chars.starts_with(&target) {
            prefixed = Some(prefixed.map_or(candidate, |p| p.min(candidate)));
            continue;
        }
        let bound = best.map_or(limit, |(distance, _)| distance);
        // An edit adds or removes at most two kinds of character.
        let differing = (target_kinds ^ char_kinds(&scratch.chars)).count_ones() as usize;
        if prefixed.is_some() || differing.div_ceil(2) > bound || distances == DISTANCES {
            continue;
        }
        distances += 1;
        if let Some(distance) = scratch.distance_within(&target, bound)
            && best.is_none_or(|best| (distance, candidate) < best)
        {
            best = Some((distance, candidate));
        }
    }
    prefixed.or(best.map(|(_, candidate)| candidate))
}

/// How many edit distances one suggestion computes at most: enough for every type of one kind in the
/// resource catalog, and a bound on generated packs whose thousands of names are all alike.
const DISTANCES: usize = 4096;

/// The kinds of character in `chars`, as bits: letters and digits each their own, others sharing
/// (which only weakens the bound this gives).
fn char_kinds(chars: &[char]) -> u64 {
    chars.iter().fold(0, |kinds, &c| {
        let bit = match c {
            'a'..='z' => u32::from(c) - u32::from('a'),
            '0'..='9' => 26 + u32::from(c) - u32::from('0'),
            _ => 36 + u32::from(c) % 28,
        };
        kinds | 1 << bit
    })
}

/// A help line naming the closest candidate, if any.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(name, candidates).map(suggestion_help)
}

/// The help line that suggests `known` for an unknown name.
pub fn suggestion_help(known: &str) -> String {
    format!("did you mean `{known}`?")
}

/// The name a [`suggestion_help`] line suggests: what an editor's quick fix
/// writes in place of the unknown name, so that the fix and the diagnostic
/// never disagree.
pub fn suggested(help: &str) -> Option<&str> {
    help.strip_prefix("did you mean `")?.strip_suffix("`?")
}

/// Buffers reused from one candidate to the next.
#[derive(Default)]
struct Scratch {
    /// The current candidate, lowercased.
    chars: Vec<char>,
    /// Rows of the distance table: the one before the previous (for swaps), the previous, the current.
    before: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
}

impl Scratch {
    fn load(&mut self, candidate: &str) {
        self.chars.clear();
        if candidate.is_ascii() {
            self.chars.extend(candidate.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            self.chars.extend(candidate.to_lowercase().chars());
        }
    }

    /// The edit distance from `target` to the loaded candidate (Levenshtein's, with a swap of two
    /// neighbouring characters as one edit), if it is at most `bound`.
    ///
    /// Only the cells within `bound` of the diagonal are computed (a path through any other cell costs
    /// more than `bound`), and a row whose cells all exceed `bound` ends the search.
    fn distance_within(&mut self, target: &[char], bound: usize) -> Option<usize> {
        let b = &self.chars;
        if target.len().abs_diff(b.len()) > bound {
            return None;
        }
        let beyond = bound + 1;
        let (before, previous, current) = (&mut self.before, &mut self.previous, &mut self.current);
        previous.clear();
        previous.extend((0..=b.len()).map(|j| j.min(beyond)));
        current.clear();
        current.resize(b.len() + 1, beyond);
        before.clear();
        before.resize(b.len() + 1, beyond);
        for (i, ca) in target.iter().enumerate() {
            let row = i + 1;
            let low = row.saturating_sub(bound).max(1);
            let high = (row + bound).min(b.len());
            current[low - 1] = if low == 1 { row.min(beyond) } else { beyond };
            let mut row_min = current[low - 1];
            for j in low..=high {
                let substitution = previous[j - 1] + usize::from(*ca != b[j - 1]);
                let swap = if i > 0 && j > 1 && *ca == b[j - 2] && target[i - 1] == b[j - 1] {
                    before[j - 2] + 1
                } else {
                    beyond
                };
                let value = substitution.min(previous[j] + 1).min(current[j - 1] + 1).min(swap).min(beyond);
                current[j] = value;
                row_min = row_min.min(value);
            }
            if high < b.len() {
                current[high + 1] = beyond;
            }
            // A row's minimum never decreases in the rows below it.
            if row_min > bound {
                return None;
            }
            // The rows move up one: the previous becomes the one before, the current the previous.
            std::mem::swap(before, previous);
            std::mem::swap(previous, current);
        }
        let distance = previous[b.len()];
        (distance <= bound).then_some(distance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(closest("resorces", ["resources", "count"]), Some("resources"));
        assert_eq!(closest("zzz", ["resources", "count"]), None);
        assert_eq!(closest("deploy", ["scoping", "deployment"]), Some("deployment"));
        assert_eq!(closest("GENSEC01_BP1", ["GENSEC01_BP01", "GENSEC01_BP02"]), Some("GENSEC01_BP01"));
        assert_eq!(closest("nmae", ["type", "name", "properties"]), Some("name"));
        assert_eq!(closest("Polciies", ["Policies", "PolicyName"]), Some("Policies"));
    }

    #[test]
    fn a_help_line_gives_back_its_suggestion() {
        assert_eq!(suggested(&suggestion_help("GENSEC01_BP01")), Some("GENSEC01_BP01"));
        assert_eq!(suggested("the choices are `a`, `b`"), None);
    }

    #[test]
    fn ties_and_prefixes_pick_the_least_candidate() {
        assert_eq!(closest("cat", ["cut", "bat", "car"]), Some("bat"));
        assert_eq!(closest("dep", ["depth", "dept", "deployment"]), Some("deployment"));
        assert_eq!(closest("BUCKET", ["bucket_prefix", "Bucket"]), Some("Bucket"));
        assert_eq!(closest("Ärger", ["ärgern", "arger"]), Some("ärgern"));
        assert_eq!(closest("x", ["y", "xyz"]), Some("y"));
        assert_eq!(closest("", ["a", "bc"]), Some("a"));
        assert_eq!(closest_within("AWS::EC2::Foo", ["AWS::EC2::EIP"], 1), None);
        assert_eq!(closest_within("AWS::EC2::VPX", ["AWS::EC2::EIP", "AWS::EC2::VPC"], 2), Some("AWS::EC2::VPC"));
    }

    /// The straightforward version this module started with: every candidate's full distance.
    fn naive<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
        fn edit_distance(a: &str, b: &str) -> usize {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let mut table = vec![vec![0; b.len() + 1]; a.len() + 1];
            for (i, row) in table.iter_mut().enumerate() {
                row[0] = i;
            }
            table[0] = (0..=b.len()).collect();
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let substitution = table[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
                    let mut value = substitution.min(table[i - 1][j] + 1).min(table[i][j - 1] + 1);
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                        value = value.min(table[i - 2][j - 2] + 1);
                    }
                    table[i][j] = value;
                }
            }
            table[a.len()][b.len()]
        }
        let limit = (name.chars().count() / 3).max(1);
        let lowered = name.to_lowercase();
        if lowered.len() >= 3
            && let Some(prefixed) = candidates.iter().copied().filter(|c| c.to_lowercase().starts_with(&lowered)).min()
        {
            return Some(prefixed);
        }
        candidates
            .iter()
            .map(|&candidate| (edit_distance(&lowered, &candidate.to_lowercase()), candidate))
            .filter(|&(distance, _)| distance <= limit)
            .min()
            .map(|(_, candidate)| candidate)
    }

    #[test]
    fn agrees_with_the_full_distance() {
        // Every string of up to 4 letters over a small alphabet, as names and as candidates.
        let alphabet = ['a', 'b', 'A', 'é'];
        let mut words = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            frontier = frontier.iter().flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}"))).collect();
            words.extend(frontier.iter().cloned());
        }
        for (i, name) in words.iter().enumerate().step_by(7) {
            let candidates: Vec<&str> = words.iter().skip(i % 13).step_by(11).map(String::as_str).collect();
            assert_eq!(closest(name, candidates.iter().copied()), naive(name, &candidates), "{name}");
        }
    }
}

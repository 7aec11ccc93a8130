//! "Did you mean" suggestions for unknown names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
///
/// One cheap pass over the candidates: most are ruled out by their length or
/// the kinds of character they hold, a distance is given up on once it passes
/// the limit, and at most [`DISTANCES`] are computed. A pack with thousands of
/// unknown names and thousands of definitions asks this for each unknown name.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut lowered = Vec::new();
    lower_into(name, &mut lowered);
    let limit = (name.chars().count() / 3).max(1);
    let name_chars = char_set(&lowered);
    let mut candidate = Vec::new();
    // A name cut short, such as `deploy` for `deployment`, is a likely typo too, and comes first.
    let mut prefixed: Option<&str> = None;
    let mut nearest: Option<(usize, &str)> = None;
    let mut distances = 0;
    for text in candidates {
        // Lowercasing keeps ASCII lengths; a longer candidate may still start with the name.
        if text.is_ascii() && name.is_ascii() && text.len() + limit < name.len() {
            continue;
        }
        lower_into(text, &mut candidate);
        if lowered.len() >= 3 && candidate.starts_with(&lowered) {
            prefixed = Some(prefixed.map_or(text, |first| first.min(text)));
            continue;
        }
        // An edit adds or removes at most two kinds of character.
        let differing = (name_chars ^ char_set(&candidate)).count_ones() as usize;
        if prefixed.is_some() || differing.div_ceil(2) > limit || distances == DISTANCES {
            continue;
        }
        distances += 1;
        if let Some(distance) = edit_distance_within(&lowered, &candidate, limit) {
            nearest = Some(nearest.map_or((distance, text), |best| best.min((distance, text))));
        }
    }
    prefixed.or(nearest.map(|(_, text)| text))
}

/// How many edit distances one suggestion computes at most: only generated
/// names are so alike that more candidates pass the cheaper tests.
const DISTANCES: usize = 256;

/// A help line naming the closest candidate, if any.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(name, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

/// `text` lowercased into `out`, by bytes when it is ASCII (names nearly always are).
fn lower_into(text: &str, out: &mut Vec<char>) {
    out.clear();
    if text.is_ascii() {
        out.extend(text.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.extend(text.chars().flat_map(char::to_lowercase));
    }
}

/// The kinds of character in `chars`, as bits: letters and digits each their
/// own, others sharing (which only weakens the bound this gives).
fn char_set(chars: &[char]) -> u64 {
    chars.iter().fold(0, |set, &c| {
        let bit = match c {
            'a'..='z' => u32::from(c) - u32::from('a'),
            '0'..='9' => 26 + u32::from(c) - u32::from('0'),
            _ => 36 + u32::from(c) % 28,
        };
        set | 1 << bit
    })
}

/// The edit distance between `a` and `b`, if it is at most `limit`.
fn edit_distance_within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = Vec::with_capacity(b.len() + 1);
    for (i, ca) in a.iter().enumerate() {
        current.clear();
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        // Every later row is at least this row's least.
        if current.iter().min().is_some_and(|&least| least > limit) {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|&distance| distance <= limit)
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
    }
}

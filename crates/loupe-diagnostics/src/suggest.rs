//! "Did you mean" suggestions for unknown names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A name cut short, such as `deploy` for `deployment`, is a likely typo too.
    let lowered = name.to_lowercase();
    if lowered.len() >= 3
        && let Some(prefixed) = candidates.iter().copied().filter(|c| c.to_lowercase().starts_with(&lowered)).min()
    {
        return Some(prefixed);
    }
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&name.to_lowercase(), &candidate.to_lowercase()), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, candidate)| (distance, candidate))
        .map(|(_, candidate)| candidate)
}

/// A help line naming the closest candidate, if any.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(name, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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

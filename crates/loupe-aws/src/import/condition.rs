//! Risk-rule conditions of the lens JSON: choice ids with `&&`, `||`, `!` and
//! parentheses, `!` binding tighter than `&&`, and `&&` tighter than `||`.
//! Written back in the language's `and` / `or` / `not`, which bind the same way.

/// A parsed condition. `And` and `Or` are flat lists, so a long chain never
/// makes a deep tree (nor a deep recursion when it is printed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Condition {
    Choice(String),
    Not(Box<Condition>),
    And(Vec<Condition>),
    Or(Vec<Condition>),
}

/// How deep `!` and parentheses may nest: far beyond any real lens, and
/// within the language's own limit on expression depth.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Id(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

/// Parses `text`; an error is a sentence that names the place by character.
pub(crate) fn parse(text: &str) -> Result<Condition, String> {
    let tokens = tokens(text)?;
    let mut parser = Parser { tokens, position: 0, depth: 0 };
    let condition = parser.or()?;
    match parser.tokens.get(parser.position) {
        None => Ok(condition),
        Some((token, at)) => Err(format!("unexpected {} at character {}", describe(token), at + 1)),
    }
}

fn tokens(text: &str) -> Result<Vec<(Token, usize)>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let token = match c {
            c if c.is_whitespace() => continue,
            '(' => Token::Open,
            ')' => Token::Close,
            '!' => Token::Not,
            '&' | '|' => {
                if chars.next_if(|&(_, next)| next == c).is_none() {
                    return Err(format!("`{c}` at character {} must be doubled: `{c}{c}`", at + 1));
                }
                if c == '&' { Token::And } else { Token::Or }
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut id = c.to_string();
                while let Some((_, next)) = chars.next_if(|&(_, next)| next.is_ascii_alphanumeric() || next == '_') {
                    id.push(next);
                }
                Token::Id(id)
            }
            other => return Err(format!("`{other}` at character {} is not part of a condition", at + 1)),
        };
        tokens.push((token, at));
    }
    Ok(tokens)
}

fn describe(token: &Token) -> String {
    match token {
        Token::Id(id) => format!("`{id}`"),
        Token::And => "`&&`".to_owned(),
        Token::Or => "`||`".to_owned(),
        Token::Not => "`!`".to_owned(),
        Token::Open => "`(`".to_owned(),
        Token::Close => "`)`".to_owned(),
    }
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    position: usize,
    depth: usize,
}

impl Parser {
    fn eat(&mut self, expected: &Token) -> bool {
        let found = self.tokens.get(self.position).is_some_and(|(token, _)| token == expected);
        self.position += usize::from(found);
        found
    }

    fn or(&mut self) -> Result<Condition, String> {
        let mut terms = vec![self.and()?];
        while self.eat(&Token::Or) {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Condition::Or(terms) })
    }

    fn and(&mut self) -> Result<Condition, String> {
        let mut terms = vec![self.unary()?];
        while self.eat(&Token::And) {
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Condition::And(terms) })
    }

    fn unary(&mut self) -> Result<Condition, String> {
        let at = self.tokens.get(self.position).cloned();
        let Some((token, at)) = at else {
            return Err("the condition ends where a choice id is expected".to_owned());
        };
        self.position += 1;
        match token {
            Token::Id(id) => Ok(Condition::Choice(id)),
            Token::Not | Token::Open => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!("`!` and parentheses nest more than {MAX_DEPTH} deep at character {}", at + 1));
                }
                let inner = if token == Token::Not {
                    Condition::Not(Box::new(self.unary()?))
                } else {
                    let inner = self.or()?;
                    if !self.eat(&Token::Close) {
                        return Err(format!("the `(` at character {} is not closed", at + 1));
                    }
                    inner
                };
                self.depth -= 1;
                Ok(inner)
            }
            other => {
                Err(format!("expected a choice id, `!` or `(` at character {}, found {}", at + 1, describe(&other)))
            }
        }
    }
}

impl Condition {
    /// The condition in the language: `not` before a choice or a
    /// parenthesized group, `and` inside `or` without parentheses.
    pub(crate) fn to_lens(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Condition::Choice(id) => out.push_str(id),
            Condition::Not(inner) => {
                out.push_str("not ");
                inner.write_grouped(out, |inner| !matches!(inner, Condition::Choice(_) | Condition::Not(_)));
            }
            Condition::And(terms) => join(terms, " and ", out, |term| matches!(term, Condition::Or(_))),
            Condition::Or(terms) => join(terms, " or ", out, |_| false),
        }
    }

    fn write_grouped(&self, out: &mut String, needs_parentheses: impl Fn(&Condition) -> bool) {
        if needs_parentheses(self) {
            out.push('(');
            self.write(out);
            out.push(')');
        } else {
            self.write(out);
        }
    }

    /// Every choice id the condition names, in order.
    pub(crate) fn choices(&self) -> Vec<&str> {
        let mut found = Vec::new();
        let mut stack = vec![self];
        while let Some(condition) = stack.pop() {
            match condition {
                Condition::Choice(id) => found.push(id.as_str()),
                Condition::Not(inner) => stack.push(inner),
                Condition::And(terms) | Condition::Or(terms) => stack.extend(terms.iter().rev()),
            }
        }
        found
    }
}

fn join(terms: &[Condition], separator: &str, out: &mut String, needs_parentheses: impl Fn(&Condition) -> bool) {
    for (index, term) in terms.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        term.write_grouped(out, &needs_parentheses);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lens(text: &str) -> String {
        parse(text).map(|condition| condition.to_lens()).unwrap_or_else(|error| format!("error: {error}"))
    }

    #[test]
    fn not_binds_tighter_than_and_and_and_tighter_than_or() {
        assert_eq!(lens("a || b && !c"), "a or b and not c");
        assert_eq!(lens("(a || b) && !(c && d)"), "(a or b) and not (c and d)");
        assert_eq!(lens("!a && b"), "not a and b");
        assert_eq!(lens("!(a || b) || c"), "not (a or b) or c");
        assert_eq!(lens("((((a))))&&(((b||c)))"), "a and (b or c)");
        assert_eq!(lens("!!a"), "not not a");
        assert_eq!(lens("a&&b&&c||d"), "a and b and c or d");
    }

    #[test]
    fn malformed_conditions_are_explained() {
        assert_eq!(lens(""), "error: the condition ends where a choice id is expected");
        assert_eq!(lens("a & b"), "error: `&` at character 3 must be doubled: `&&`");
        assert_eq!(lens("a && (b"), "error: the `(` at character 6 is not closed");
        assert_eq!(lens("a b"), "error: unexpected `b` at character 3");
        assert_eq!(lens("a && )"), "error: expected a choice id, `!` or `(` at character 6, found `)`");
        assert_eq!(lens("a == b"), "error: `=` at character 3 is not part of a condition");
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(lens(&deep).contains("nest more than 64 deep"));
        let nots = format!("{}a", "!".repeat(100_000));
        assert!(lens(&nots).contains("nest more than 64 deep"));
        let chain = vec!["a"; 100_000].join(" && ");
        assert_eq!(parse(&chain).map(|c| c.choices().len()), Ok(100_000));
    }
}

//! JSON rosters: an array of `InviteRequest`s, or JSON Lines (one a line), in the API's own
//! shape (`{"email", "role", "projects"}`, `projects` absent for the default project, `[]`
//! for none). Fields other than those three are refused, so a typo cannot silently mean "the
//! default project".

use openai_invites_core::InviteRequest;
use serde_json::Value;

use super::check::Candidate;
use super::error::{Problem, ProblemKind};

const FIELDS: [&str; 3] = ["email", "role", "projects"];

/// Reads a JSON array; each item's line is where it starts. A syntax error ends the reading
/// (what follows it cannot be told apart), after the items before it were read.
pub(crate) fn read_array(text: &str) -> (Vec<Candidate>, Vec<Problem>) {
    let mut items = Items {
        text,
        at: 0,
        lines: Lines::default(),
    };
    let mut candidates = Vec::new();
    let mut problems = Vec::new();
    loop {
        match items.next() {
            Ok(Some((line, value))) => push(line, value, &mut candidates, &mut problems),
            Ok(None) => break,
            Err(problem) => {
                problems.push(problem);
                break;
            }
        }
    }
    (candidates, problems)
}

/// Reads JSON Lines: one item a line, blank lines skipped.
pub(crate) fn read_lines(text: &str) -> (Vec<Candidate>, Vec<Problem>) {
    let mut candidates = Vec::new();
    let mut problems = Vec::new();
    for (at, line_text) in text.lines().enumerate() {
        let line = at + 1;
        if line_text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line_text) {
            Ok(value) => push(line, value, &mut candidates, &mut problems),
            Err(e) => problems.push(unreadable(line, e.to_string())),
        }
    }
    (candidates, problems)
}

fn push(line: usize, value: Value, candidates: &mut Vec<Candidate>, problems: &mut Vec<Problem>) {
    match request(value) {
        Ok(request) => candidates.push(Candidate {
            line,
            request,
            broken: false,
        }),
        Err(why) => problems.push(unreadable(line, why)),
    }
}

fn request(value: Value) -> Result<InviteRequest, String> {
    let Value::Object(fields) = &value else {
        return Err("expected an object {\"email\", \"role\", \"projects\"}".to_owned());
    };
    if let Some(unknown) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!(
            "unknown field `{unknown}` (expected email, role, projects)"
        ));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

fn unreadable(line: usize, why: String) -> Problem {
    Problem {
        line,
        kind: ProblemKind::Unreadable(why),
    }
}

/// Line numbers of byte offsets met in increasing order, without rescanning the text.
#[derive(Default)]
struct Lines {
    offset: usize,
    line: usize,
}

impl Lines {
    fn of(&mut self, text: &str, offset: usize) -> usize {
        self.line += text[self.offset..offset].matches('\n').count();
        self.offset = offset;
        self.line + 1
    }
}

/// The items of a JSON array: serde_json reads each value, this walks the brackets and commas
/// between them (so each item's line is known).
struct Items<'a> {
    text: &'a str,
    at: usize,
    lines: Lines,
}

impl Items<'_> {
    fn next(&mut self) -> Result<Option<(usize, Value)>, Problem> {
        if self.at == 0 {
            self.expect(b'[', "expected a JSON array of invite requests")?;
            if self.skip_whitespace() == Some(b']') {
                return self.end();
            }
        } else if self.at == self.text.len() {
            return Ok(None);
        } else {
            match self.skip_whitespace() {
                Some(b',') => self.at += 1,
                Some(b']') => return self.end(),
                _ => return Err(self.problem("expected `,` or `]` after an item".to_owned())),
            }
        }
        self.skip_whitespace();
        let line = self.lines.of(self.text, self.at);
        let mut stream = serde_json::Deserializer::from_str(&self.text[self.at..]).into_iter();
        match stream.next() {
            Some(Ok(value)) => {
                self.at += stream.byte_offset();
                Ok(Some((line, value)))
            }
            Some(Err(e)) => Err(unreadable(line + e.line().saturating_sub(1), e.to_string())),
            None => Err(self.problem("the array is not closed".to_owned())),
        }
    }

    /// Steps over the closing bracket; only whitespace may follow.
    fn end(&mut self) -> Result<Option<(usize, Value)>, Problem> {
        self.at += 1;
        if self.skip_whitespace().is_some() {
            return Err(self.problem("text after the array".to_owned()));
        }
        self.at = self.text.len();
        Ok(None)
    }

    fn expect(&mut self, byte: u8, why: &str) -> Result<(), Problem> {
        if self.skip_whitespace() != Some(byte) {
            return Err(self.problem(why.to_owned()));
        }
        self.at += 1;
        Ok(())
    }

    /// Moves past whitespace; the byte found there, if any.
    fn skip_whitespace(&mut self) -> Option<u8> {
        let rest = &self.text.as_bytes()[self.at..];
        let skipped = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        self.at += skipped;
        rest.get(skipped).copied()
    }

    fn problem(&mut self, why: String) -> Problem {
        let line = self.lines.of(self.text, self.at.min(self.text.len()));
        unreadable(line, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_know_their_lines() {
        let text = "[\n  {\"email\": \"a@x.io\", \"role\": \"reader\"},\n\n  {\"email\": \"b@x.io\",\n   \"role\": \"owner\", \"projects\": []}\n]\n";
        let (rows, problems) = read_array(text);
        assert!(problems.is_empty(), "{problems:?}");
        let lines: Vec<_> = rows.iter().map(|c| c.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(rows[1].request.projects, Some(vec![]));
    }

    #[test]
    fn an_empty_array_and_broken_arrays() {
        assert!(read_array(" [ ] ").0.is_empty());
        assert!(read_array(" [ ] ").1.is_empty());
        for (text, line) in [
            ("{}", 1),
            ("[\n{\"email\":\"a@x.io\",\"role\":\"reader\"}\n{", 3),
            ("[\n{\"email\":\"a@x.io\",\"role\":\"reader\"},\n", 3),
            ("[] x", 1),
        ] {
            let (_, problems) = read_array(text);
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
            assert_eq!(problems[0].line, line, "{text}: {problems:?}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let (_, problems) =
            read_lines("{\"email\":\"a@x.io\",\"role\":\"reader\",\"project\":[]}\n");
        assert!(
            matches!(&problems[0].kind, ProblemKind::Unreadable(why) if why.contains("`project`"))
        );
    }
}

//! Roster files: every row checked before anything is sent, every problem reported at once
//! with its line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use openai_invites_roster::{
    InviteProject, InviteRole, ProblemKind, ProjectRole, Roster, RosterError, RosterFormat,
};

fn problems(text: &str, format: RosterFormat) -> Vec<(usize, ProblemKind)> {
    match Roster::parse(text, format) {
        Err(RosterError::Invalid { problems }) => {
            problems.into_iter().map(|p| (p.line, p.kind)).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn csv_rows_read_with_the_three_project_forms_and_any_role_case() {
    let roster = Roster::parse(
        "# cohort 2025\nEmail,Role,Projects\n\
         ana@example.com, Reader ,\n\
         bo@example.com,OWNER,proj_a proj_b:owner\n\
         cy@example.com,reader,-\n\
         \"dee@example.com\",reader,\"proj_c:Member\"\n",
        RosterFormat::Csv,
    )
    .unwrap();
    let rows = roster.rows();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        [3, 4, 5, 6]
    );
    assert_eq!(rows[0].request.role, InviteRole::Reader);
    assert_eq!(rows[0].request.projects, None);
    assert_eq!(rows[1].request.role, InviteRole::Owner);
    assert_eq!(
        rows[1].request.projects,
        Some(vec![
            InviteProject::new("proj_a", ProjectRole::Member),
            InviteProject::new("proj_b", ProjectRole::Owner),
        ])
    );
    assert_eq!(rows[2].request.projects, Some(vec![]));
    assert_eq!(
        rows[3].request.projects,
        Some(vec![InviteProject::new("proj_c", ProjectRole::Member)])
    );
}

#[test]
fn the_projects_column_may_be_left_out() {
    let roster = Roster::parse("role,email\nowner,ana@example.com\n", RosterFormat::Csv).unwrap();
    assert_eq!(roster.rows()[0].request.role, InviteRole::Owner);
    assert_eq!(roster.rows()[0].request.projects, None);
}

#[test]
fn every_problem_is_reported_at_once_with_its_line() {
    let text = "email,role,projects\n\
                ana@example.com,reader,\n\
                not-an-email,reader,\n\
                bo@example.com,admin,\n\
                cy@example.com,reader,proj_a:boss\n\
                ANA@example.com,owner,\n\
                dee@example.com,reader,:owner\n\
                eve@x,superuser,p p\n\
                ,reader,\n\
                fay@example.com,reader,,extra\n";
    let found = problems(text, RosterFormat::Csv);
    let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8, 8, 8, 9, 10], "{found:?}");
    assert_eq!(found[0].1, ProblemKind::BadEmail("not-an-email".into()));
    assert_eq!(found[1].1, ProblemKind::UnknownRole("admin".into()));
    assert!(
        matches!(&found[2].1, ProblemKind::MalformedProject(why) if why.contains("proj_a:boss"))
    );
    assert_eq!(
        found[3].1,
        ProblemKind::Conflict {
            email: "ANA@example.com".into(),
            first_line: 2
        }
    );
    assert!(matches!(&found[4].1, ProblemKind::MalformedProject(_)));
    assert_eq!(found[5].1, ProblemKind::BadEmail("eve@x".into()));
    assert_eq!(found[6].1, ProblemKind::UnknownRole("superuser".into()));
    assert!(matches!(&found[7].1, ProblemKind::MalformedProject(why) if why.contains("twice")));
    assert!(matches!(&found[8].1, ProblemKind::Unreadable(_)));
    assert!(matches!(&found[9].1, ProblemKind::Unreadable(why) if why.contains("4 fields")));
}

#[test]
fn the_error_text_lists_every_problem() {
    let err = Roster::parse("email,role\nx,reader\ny,owner\n", RosterFormat::Csv).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the roster has 2 problems\n  line 2: `x` is not an email address\n  line 3: `y` is not an email address"
    );
}

#[test]
fn repeats_with_the_same_terms_merge_and_emails_compare_case_insensitively() {
    let roster = Roster::parse(
        "email,role,projects\n\
         ana@example.com,reader,b a:owner\n\
         bo@example.com,reader,\n\
         Ana@Example.COM ,reader,a:owner b:member\n",
        RosterFormat::Csv,
    )
    .unwrap();
    assert_eq!(roster.len(), 2);
    assert_eq!(roster.rows()[0].line, 2);
    // The default project and no project are different terms.
    let found = problems(
        "email,role,projects\nana@example.com,reader,\nana@example.com,reader,-\n",
        RosterFormat::Csv,
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, 3);
}

#[test]
fn a_bad_header_is_one_problem() {
    for (header, why) in [
        ("email,role,project", "unknown column `project`"),
        ("email,projects", "expected the columns"),
        ("email,role,email", "appears twice"),
    ] {
        let found = problems(
            &format!("{header}\nana@example.com,reader,\n"),
            RosterFormat::Csv,
        );
        assert_eq!(found.len(), 1, "{header}");
        assert!(
            matches!(&found[0], (1, ProblemKind::Header(w)) if w.contains(why)),
            "{found:?}"
        );
    }
}

#[test]
fn json_arrays_and_lines_read_the_api_shape() {
    let json = r#"[
  {"email": "ana@example.com", "role": "reader"},
  {"email": "bo@example.com", "role": "owner", "projects": []},
  {"email": "cy@example.com", "role": "reader",
   "projects": [{"id": "proj_a", "role": "owner"}]}
]"#;
    let roster = Roster::parse(json, RosterFormat::Json).unwrap();
    assert_eq!(
        roster.rows().iter().map(|r| r.line).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert_eq!(roster.rows()[1].request.projects, Some(vec![]));
    let lines = "{\"email\":\"ana@example.com\",\"role\":\"reader\"}\n\n{\"email\":\"bo@example.com\",\"role\":\"owner\"}\n";
    let roster = Roster::parse(lines, RosterFormat::JsonLines).unwrap();
    assert_eq!(
        roster.rows().iter().map(|r| r.line).collect::<Vec<_>>(),
        [1, 3]
    );
}

#[test]
fn json_problems_carry_the_line_each_item_starts_on() {
    let json = r#"[
  {"email": "ana@example.com", "role": "Reader"},
  {"email": "nope", "role": "reader"},
  {"email": "cy@example.com", "role": "reader", "projects": [{"id": "", "role": "member"}]},
  {"email": "dee@example.com"},
  "eve@example.com"
]"#;
    let found = problems(json, RosterFormat::Json);
    let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6], "{found:?}");
    // The wire's enums are exact: `Reader` is not a role.
    assert_eq!(found[0].1, ProblemKind::UnknownRole("Reader".into()));
    assert!(matches!(&found[3].1, ProblemKind::Unreadable(why) if why.contains("role")));
    let found = problems(
        "{\"email\":\"a@b.io\",\"role\":\"reader\"}\nnot json\n",
        RosterFormat::JsonLines,
    );
    assert_eq!(found[0].0, 2);
}

#[test]
fn files_are_read_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cohort.CSV");
    std::fs::write(&csv, "email,role\nana@example.com,reader\n").unwrap();
    assert_eq!(Roster::read_file(&csv).unwrap().len(), 1);
    let jsonl = dir.path().join("cohort.jsonl");
    std::fs::write(
        &jsonl,
        "{\"email\":\"ana@example.com\",\"role\":\"reader\"}\n",
    )
    .unwrap();
    assert_eq!(Roster::read_file(&jsonl).unwrap().len(), 1);
    let txt = dir.path().join("cohort.txt");
    std::fs::write(&txt, "").unwrap();
    assert!(matches!(
        Roster::read_file(&txt),
        Err(RosterError::UnknownFormat { .. })
    ));
    let missing = dir.path().join("missing.csv");
    assert!(matches!(
        Roster::read_file(&missing),
        Err(RosterError::Read { .. })
    ));
}

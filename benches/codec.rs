//! Encoding each operation, and decoding a retrieve body and a 100-invite page.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openai_invites::{
    BaseUrl, DeleteInvite, InviteRequest, InviteRole, InviteUser, ListInvites, Operation,
    ProjectRole, RetrieveInvite,
};
use std::hint::black_box;

fn encode(c: &mut Criterion) {
    let base = BaseUrl::default();
    let mut group = c.benchmark_group("encode");
    group.bench_function("listInvites", |b| {
        let op = ListInvites::new().limit(100).after("invite-abc");
        b.iter(|| black_box(&op).encode(&base))
    });
    group.bench_function("inviteUser", |b| {
        let op = InviteUser::new(
            InviteRequest::new("ana@example.com", InviteRole::Reader)
                .with_project("proj_a", ProjectRole::Member),
        );
        b.iter(|| black_box(&op).encode(&base))
    });
    group.bench_function("retrieveInvite", |b| {
        let op = RetrieveInvite::new("invite-abc");
        b.iter(|| black_box(&op).encode(&base))
    });
    group.bench_function("deleteInvite", |b| {
        let op = DeleteInvite::new("invite-abc");
        b.iter(|| black_box(&op).encode(&base))
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    let one = common::invite_body();
    group.throughput(Throughput::Bytes(one.len() as u64));
    group.bench_function("retrieveInvite", |b| {
        b.iter(|| RetrieveInvite::decode(common::ok_response(black_box(&one))))
    });
    let page = common::page_body(100);
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("listInvites/100", |b| {
        b.iter(|| ListInvites::decode(common::ok_response(black_box(&page))))
    });
    group.finish();
}

criterion_group!(benches, encode, decode);
criterion_main!(benches);

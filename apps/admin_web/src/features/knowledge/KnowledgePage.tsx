import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { knowledge, type Article, type ArticleIn } from "../../api/admin";
import { keys } from "../../api/queries";
import { Badge, Button, Dialog, EmptyState, ErrorText, Field, Page, Section, Table, useAction, type Column } from "../../ui";

export function tags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];
}

export function KnowledgePage() {
  const pages = useInfiniteQuery({
    queryKey: keys.articles,
    queryFn: ({ pageParam }) => knowledge.list(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const [editing, setEditing] = useState<Article | "new" | null>(null);
  const [deleting, setDeleting] = useState<Article | null>(null);
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const columns: Column<Article>[] = [
    { key: "title", header: "Title", cell: (a) => <strong>{a.title}</strong> },
    { key: "body", header: "Text", cell: (a) => <span className="clamp">{a.body}</span> },
    { key: "tags", header: "Tags", cell: (a) => a.tags.map((t) => <Badge key={t}>{t}</Badge>) },
    { key: "updated", header: "Updated", cell: (a) => new Date(a.updated_at).toLocaleDateString() },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (a) => (
        <>
          <Button small onClick={() => setEditing(a)} aria-label={`Edit ${a.title}`}>
            Edit
          </Button>
          <Button small variant="danger" onClick={() => setDeleting(a)} aria-label={`Delete ${a.title}`}>
            Delete
          </Button>
        </>
      ),
    },
  ];
  return (
    <Page
      title="Knowledge base"
      description="The articles the AI answers from (the built-in responder quotes them; LLM providers get them as context)."
      actions={
        <Button variant="primary" onClick={() => setEditing("new")}>
          New article
        </Button>
      }
    >
      <Preview />
      <ErrorText error={pages.error} prefix="Could not load the articles" />
      {pages.data &&
        (items.length === 0 ? (
          <EmptyState title="No articles yet">Write down what visitors ask most: shipping, returns, opening hours.</EmptyState>
        ) : (
          <Table
            caption="Articles"
            columns={columns}
            rows={items}
            rowKey={(a) => a.id}
            hasMore={pages.hasNextPage}
            loadingMore={pages.isFetchingNextPage}
            onLoadMore={() => void pages.fetchNextPage()}
          />
        ))}
      <Dialog open={editing !== null} title={editing === "new" ? "New article" : "Edit article"} onClose={() => setEditing(null)}>
        {editing !== null && <ArticleForm article={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <Dialog open={deleting !== null} title="Delete article" onClose={() => setDeleting(null)}>
        {deleting && <DeleteArticle article={deleting} onDone={() => setDeleting(null)} />}
      </Dialog>
    </Page>
  );
}

/** What the AI would retrieve for a question (GET /knowledge/search), best first. */
function Preview() {
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const hits = useQuery({ queryKey: keys.knowledgeSearch(q), queryFn: () => knowledge.search(q), enabled: q !== "", staleTime: 0 });
  return (
    <Section title="Retrieval preview">
      <form
        className="tester"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(text.trim());
        }}
      >
        <Field label="A visitor's question">
          {(p) => <input {...p} value={text} onChange={(e) => setText(e.target.value)} placeholder="What is your return policy?" />}
        </Field>
        <Button type="submit" disabled={!text.trim()} busy={hits.isFetching ? "Searching…" : false}>
          Preview
        </Button>
      </form>
      <ErrorText error={hits.error} />
      {hits.data && (
        <div role="status" data-testid="retrieval-preview">
          {hits.data.items.length === 0 ? (
            <p className="muted">Nothing would be retrieved: the AI has no article for this question.</p>
          ) : (
            <ol className="hits">
              {hits.data.items.map((h, i) => (
                <li key={`${h.article_id}-${i}`}>
                  <strong>{h.title}</strong>{" "}
                  <Badge tone={h.confidence >= 0.5 ? "success" : "warning"} title="The built-in responder answers from 0.5 up">
                    confidence {h.confidence.toFixed(2)}
                  </Badge>
                  <div className="muted small clamp">{h.text}</div>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </Section>
  );
}

function ArticleForm({ article, onDone }: { article: Article | null; onDone: () => void }) {
  const [title, setTitle] = useState(article?.title ?? "");
  const [body, setBody] = useState(article?.body ?? "");
  const [tagText, setTagText] = useState((article?.tags ?? []).join(", "));
  const [tried, setTried] = useState(false);
  const save = useAction((data: ArticleIn) => (article ? knowledge.update(article.id, data) : knowledge.create(data)), {
    invalidate: [keys.articles, ["knowledge", "search"]],
    done: article ? "Article saved." : "Article added.",
    onDone,
  });
  const errors = {
    title: title.trim() ? null : "Give the article a title.",
    body: body.trim() ? null : "Write the article's text.",
    tags: tags(tagText).some((t) => t.length > 40) ? "Tags are at most 40 characters." : null,
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate({ title: title.trim(), body: body.trim(), tags: tags(tagText) });
  };
  return (
    <form className="ui-form" onSubmit={submit} noValidate>
      <Field label="Title" error={tried ? errors.title : null}>
        {(p) => <input {...p} maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <Field label="Text" error={tried ? errors.body : null}>
        {(p) => <textarea {...p} rows={10} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <Field label="Tags" hint="Comma-separated." error={tried ? errors.tags : null}>
        {(p) => <input {...p} value={tagText} onChange={(e) => setTagText(e.target.value)} />}
      </Field>
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          {article ? "Save article" : "Add article"}
        </Button>
      </div>
    </form>
  );
}

function DeleteArticle({ article, onDone }: { article: Article; onDone: () => void }) {
  const remove = useAction(() => knowledge.remove(article.id), { invalidate: [keys.articles], done: `“${article.title}” was deleted.`, onDone });
  return (
    <div className="ui-form">
      <p>
        Delete <strong>{article.title}</strong>? The AI stops answering from it at once.
      </p>
      <ErrorText error={remove.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={remove.isPending ? "Deleting…" : false} onClick={() => remove.mutate(undefined)}>
          Delete article
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}

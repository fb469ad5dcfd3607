"""The hand-written endpoint's SQL (bench/handwritten.py): one statement per thing a page needs.

Reader visibility is written out where it decides what a reader sees: published stories whose
`published_at` has passed, published issues. Catalogue rows reached through a visible story
are visible by construction, so they are simply joined.
"""

VISIBLE = "a.status = 'published' AND a.published_at <= now()"

CARD_COLUMNS = """
a.id, a.headline, a.dek, a.excerpt, a.published_at,
s.slug AS section_slug, s.name AS section_name, so.slug AS source_slug, so.name AS source_name,
i.url AS image_url, i.caption AS image_caption
"""
CARD_JOINS = """
JOIN sections s ON s.id = a.section_id
JOIN sources so ON so.id = a.source_id
LEFT JOIN images i ON i.id = a.image_id
"""
CARDS = f"""
SELECT {CARD_COLUMNS} FROM articles a {CARD_JOINS}
WHERE {VISIBLE}
ORDER BY a.published_at DESC, a.id DESC LIMIT $1
"""
CARDS_AFTER = f"""
SELECT {CARD_COLUMNS} FROM articles a {CARD_JOINS}
WHERE {VISIBLE} AND (a.published_at, a.id) < ($1, $2)
ORDER BY a.published_at DESC, a.id DESC LIMIT $3
"""
AUTHORS = """
SELECT l.article_id, au.slug, au.name, au.bio FROM article_authors l
JOIN authors au ON au.id = l.author_id
WHERE l.article_id = ANY($1::bigint[]) ORDER BY l.article_id, l.position
"""
TAGS = """
SELECT l.article_id, t.slug, t.name FROM article_tags l JOIN tags t ON t.id = l.tag_id
WHERE l.article_id = ANY($1::bigint[]) ORDER BY l.article_id, t.name
"""
COUNTRIES = "SELECT country FROM article_countries WHERE article_id = $1 ORDER BY country"
SECTION = "SELECT id, name FROM sections WHERE slug = $1 AND visible_from <= now()"
_SECTION_TREE = """
WITH RECURSIVE tree(id) AS (
    SELECT $1::bigint UNION ALL SELECT c.id FROM sections c JOIN tree t ON c.parent_id = t.id
)
"""
SECTION_FEED = f"""{_SECTION_TREE}
SELECT a.id, a.headline, a.excerpt, a.published_at, so.name AS source_name
FROM articles a JOIN sources so ON so.id = a.source_id
WHERE a.section_id IN (SELECT id FROM tree) AND {VISIBLE}
ORDER BY a.published_at DESC, a.id DESC LIMIT $2
"""
SECTION_FEED_AFTER = f"""{_SECTION_TREE}
SELECT a.id, a.headline, a.excerpt, a.published_at, so.name AS source_name
FROM articles a JOIN sources so ON so.id = a.source_id
WHERE a.section_id IN (SELECT id FROM tree) AND {VISIBLE} AND (a.published_at, a.id) < ($2, $3)
ORDER BY a.published_at DESC, a.id DESC LIMIT $4
"""
ARTICLE = f"""
SELECT a.id, a.headline, a.dek, a.body_html, a.published_at, a.updated_at,
       s.slug AS section_slug, s.name AS section_name,
       so.name AS source_name, so.description AS source_description, logo.url AS logo_url,
       i.url AS image_url, i.caption AS image_caption, i.credit AS image_credit
FROM articles a
JOIN sections s ON s.id = a.section_id
JOIN sources so ON so.id = a.source_id
LEFT JOIN images logo ON logo.id = so.logo_id
LEFT JOIN images i ON i.id = a.image_id
WHERE a.id = $1 AND {VISIBLE}
"""
# Related stories: the lists Broadsheet stores per story (related_stories, ranked as it
# documents: shared tags 3, countries 2, same section 1.5, same source 1, closeness in time; ties
# to the newer story, then higher id), the first $2 visible entries of each, by rank.
RELATED = f"""
SELECT base.id AS base_id, r.id, r.headline, r.excerpt, r.published_at, so.name AS source_name
FROM unnest($1::bigint[]) AS base(id)
JOIN LATERAL (
    SELECT a.id, a.headline, a.excerpt, a.published_at, a.source_id, e.rank
    FROM related_stories e JOIN articles a ON a.id = e.related_id
    WHERE e.article_id = base.id AND {VISIBLE}
    ORDER BY e.rank
    LIMIT $2
) r ON true
JOIN sources so ON so.id = r.source_id
ORDER BY base.id, r.rank
"""
_QUERY = "websearch_to_tsquery('english'::regconfig, $1)"
# Broadsheet's search: the SEARCH_CANDIDATES (1,000, bound as $3) most recent visible matches,
# ranked by relevance in a subquery cut to the page; only the page is joined to its source.
SEARCH = f"""
SELECT a.id, a.headline, a.published_at, so.name AS source_name
FROM (
    SELECT c.id, CAST(ts_rank_cd(c.search_vector, {_QUERY}, 1) AS float8)
        + 0.1::float8 / (1.0::float8 + exp(-(extract(epoch FROM c.published_at)
            - 1577836800.0::float8) / 31536000.0::float8)) AS rank
    FROM (
        SELECT a.id, a.published_at, a.search_vector FROM articles a
        WHERE a.search_vector @@ {_QUERY} AND {VISIBLE}
        ORDER BY a.published_at DESC, a.id DESC
        LIMIT $3
    ) c
    ORDER BY rank DESC, c.id DESC
    LIMIT $2
) r
JOIN articles a ON a.id = r.id
JOIN sources so ON so.id = a.source_id
ORDER BY r.rank DESC, r.id DESC
"""
SEARCH_CANDIDATES = 1000
HIGHLIGHTS = f"""
SELECT a.id, ts_headline('english'::regconfig, concat_ws(' \n', a.headline, a.dek, a.body_text),
    {_QUERY}, 'StartSel=' || chr(2) || ', StopSel=' || chr(3)
    || ', MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "') AS passage
FROM articles a WHERE a.id = ANY($2::bigint[])
"""
LATEST_ISSUE = """
SELECT n.name, i.id AS issue_id, i.id, i.date, i.title, i.intro
FROM newsletters n
LEFT JOIN LATERAL (
    SELECT * FROM newsletter_issues i
    WHERE i.newsletter_id = n.id AND i.published_at IS NOT NULL AND i.published_at <= now()
    ORDER BY i.date DESC, i.id DESC LIMIT 1
) i ON true
WHERE n.slug = $1
"""
ISSUE_ITEMS = f"""
SELECT it.position, it.blurb, a.excerpt, a.id AS article_id, a.headline, so.name AS source_name
FROM newsletter_items it
JOIN articles a ON a.id = it.article_id
JOIN sources so ON so.id = a.source_id
WHERE it.issue_id = $1 AND {VISIBLE}
ORDER BY it.position
"""

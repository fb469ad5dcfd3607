// The reader's scripts: the newsletter sign-up form and search as you type. Both call the
// Broadsheet API straight from the browser (another origin: CORS), with the documents and
// their hashes that the page gives in #reader-config. No build step, no dependencies.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("reader-config").textContent);

  class ApiError extends Error {
    constructor(message, code, retryAfter) {
      super(message);
      this.code = code;
      this.retryAfter = retryAfter;
    }
  }

  async function readGraphQL(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      throw new ApiError("The service answered in a way we did not understand.", "UNAVAILABLE");
    }
    const errors = (body && body.errors) || [];
    if (errors.length && !body.data) {
      const code = (errors[0].extensions || {}).code || "ERROR";
      throw new ApiError(errors[0].message, code, response.headers.get("Retry-After"));
    }
    return body.data;
  }

  async function send(url, init) {
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new ApiError("We could not reach the newsroom.", "UNAVAILABLE");
    }
    return response;
  }

  // A query as an automatic persisted query over GET (cacheable); the document itself is
  // sent only when the API has not seen its hash yet.
  async function query(name, variables) {
    const documentInfo = config.documents[name];
    const params = new URLSearchParams({
      operationName: name,
      variables: JSON.stringify(variables),
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: documentInfo.hash } }),
    });
    const headers = { Accept: "application/graphql-response+json, application/json;q=0.9" };
    let response = await send(config.api + "?" + params, { headers });
    try {
      return await readGraphQL(response);
    } catch (error) {
      if (error.code !== "PERSISTED_QUERY_NOT_FOUND") throw error;
    }
    params.set("query", documentInfo.query);
    response = await send(config.api + "?" + params, { headers });
    return readGraphQL(response);
  }

  async function mutate(name, variables) {
    const response = await send(config.api, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json;q=0.9",
      },
      body: JSON.stringify({ query: config.documents[name].query, operationName: name, variables }),
    });
    return readGraphQL(response);
  }

  // --- Newsletter sign-up --------------------------------------------------------------------

  function setUpSignup(form) {
    const status = form.querySelector(".signup-status");
    const errorFor = (field) => form.querySelector('.field-error[data-for="' + field + '"]');
    const inputFor = { email: form.elements.email, consent: form.elements.consent };

    function clear() {
      status.textContent = "";
      status.className = "signup-status";
      for (const field of Object.keys(inputFor)) {
        errorFor(field).textContent = "";
        inputFor[field].removeAttribute("aria-invalid");
      }
    }

    function showStatus(message, kind) {
      status.textContent = message;
      status.className = "signup-status " + kind;
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clear();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const data = await mutate("Subscribe", {
          newsletter: form.dataset.newsletter,
          email: inputFor.email.value.trim(),
          consent: inputFor.consent.checked,
        });
        const payload = data.subscribeToNewsletter;
        if (payload.accepted) {
          form.reset();
          showStatus(payload.message, "ok");
          return;
        }
        let shown = false;
        for (const problem of payload.userErrors) {
          const field = problem.field[problem.field.length - 1];
          if (inputFor[field]) {
            errorFor(field).textContent = problem.message;
            inputFor[field].setAttribute("aria-invalid", "true");
            shown = true;
          }
        }
        if (!shown) {
          showStatus(payload.userErrors.map((p) => p.message).join(" "), "error");
        }
      } catch (error) {
        if (error.code === "RATE_LIMITED") {
          const wait = error.retryAfter ? " in " + error.retryAfter + " seconds" : " in a minute";
          showStatus("Too many sign-ups from this address: please try again" + wait + ".", "error");
        } else {
          showStatus("We could not sign you up just now (" + error.message + ") Please try again.", "error");
        }
      } finally {
        button.disabled = false;
      }
    });
  }

  // --- Search as you type ----------------------------------------------------------------------

  function longDate(iso) {
    const day = new Date(iso);
    return day.toLocaleDateString("en-US", {
      year: "numeric", month: "long", day: "numeric", timeZone: "UTC",
    });
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function link(href, text) {
    const anchor = element("a", null, text);
    anchor.href = href;
    return anchor;
  }

  // The API's highlight is escaped text with <mark> around terms: keep the text and the marks,
  // drop anything else (the parsed document runs no scripts and loads nothing).
  function highlightNodes(html) {
    const parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    const out = [];
    for (const node of parsed.body.firstChild.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) out.push(document.createTextNode(node.textContent));
      else if (node.nodeName === "MARK") out.push(element("mark", null, node.textContent));
      else out.push(document.createTextNode(node.textContent));
    }
    return out;
  }

  function teaser(story) {
    const article = element("article", "teaser");
    const kicker = element("p", "kicker");
    kicker.append(link("/sections/" + story.section.slug, story.section.name));
    const headline = element("h3", "teaser-headline");
    headline.append(link("/stories/" + story.source.slug + "/" + story.slug, story.headline));
    const text = element("p", "teaser-text highlight");
    if (story.highlight) text.append(...highlightNodes(story.highlight));
    else text.textContent = story.excerpt;
    const meta = element("p", "teaser-meta");
    const time = element("time", null, longDate(story.publishedAt));
    time.dateTime = story.publishedAt;
    meta.append(
      element("span", "teaser-byline", story.byline), " · ",
      link("/sources/" + story.source.slug, story.source.name), element("br"), time,
    );
    article.append(kicker, headline, text, meta);
    return article;
  }

  function setUpSearch(input) {
    const results = document.getElementById("search-results");
    const status = document.getElementById("search-status");
    let timer = null;
    let latest = 0;

    async function run(text) {
      const ticket = ++latest;
      const url = new URL(window.location.href);
      url.searchParams.set("q", text);
      window.history.replaceState(null, "", url);
      try {
        const data = await query("Search", { query: text });
        if (ticket !== latest) return;
        const found = data.search;
        results.replaceChildren(...found.nodes.map(teaser));
        const noun = found.totalCount === 1 ? "story" : "stories";
        status.textContent = found.totalCount + " " + noun + " for \u201c" + text + "\u201d";
      } catch (error) {
        if (ticket !== latest) return;
        results.replaceChildren();
        status.textContent = error.code === "BAD_USER_INPUT"
          ? "Try different words: that search has nothing to look for."
          : "Search is unavailable right now (" + error.message + ") Please try again.";
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < 2) return;
      timer = setTimeout(() => run(text), 250);
    });
  }

  const form = document.getElementById("signup");
  if (form) setUpSignup(form);
  const search = document.getElementById("search-input");
  if (search) setUpSearch(search);
})();

/* Explore in the browser: how a server answer reaches the Cytoscape canvas and the details panel,
 * where new nodes appear, and which canvas events go back to the server.
 *
 * Served by Dash from app/assets (no network). Used through ClientsideFunction("mlsd", ...) in
 * app/pages/explore.py. Labels never pass through innerHTML here: Cytoscape draws them on a canvas,
 * the details panel and the search suggestions are made with textContent, links get their href
 * only when it is an app path or an http(s) URL, and the path-name list sets <option>.value.
 */
(function () {
    "use strict";

    function noUpdate() { return window.dash_clientside.no_update; }

    /* The Cytoscape instance behind the Dash component with this id (null before it mounts). */
    function findCy(id) {
        const root = document.getElementById(id);
        if (!root) { return null; }
        const el = [root, ...root.querySelectorAll("div")].find(function (e) { return e._cyreg && e._cyreg.cy; });
        return el ? el._cyreg.cy : null;
    }

    /* Where the nodes that the next update adds will go: a golden-angle spiral beside the anchor
     * node, on the side facing away from the rest of the graph, so the nodes already drawn keep their
     * places (what a person has looked at does not jump) and the new ones do not land on top of them. */
    function planPlacement(cy, anchorId, newCount) {
        const anchor = anchorId ? cy.getElementById(anchorId) : null;
        const nodes = cy.nodes();
        if (!anchor || !anchor.length || !newCount) {
            const bb = nodes.length ? nodes.boundingBox({includeLabels: false}) : {x1: 0, y1: 0, w: 0, h: 0};
            return {x: bb.x1 + bb.w / 2, y: bb.y1 + bb.h / 2, i: 0, step: 40};
        }
        const at = anchor.position();
        let cx = 0, cy_ = 0;
        nodes.forEach(function (n) { const p = n.position(); cx += p.x; cy_ += p.y; });
        cx /= nodes.length; cy_ /= nodes.length;
        let dx = at.x - cx, dy = at.y - cy_;
        const len = Math.hypot(dx, dy);
        if (len < 1) { dx = 1; dy = 0; } else { dx /= len; dy /= len; }
        const radius = 40 * Math.sqrt(newCount) + 50;
        return {x: at.x + dx * radius, y: at.y + dy * radius, i: 0, step: 40};
    }

    function place(p, node) {
        const i = p.i++;
        const r = p.step * Math.sqrt(i + 0.5);
        const a = i * 2.399963;  // the golden angle: even spread, no two nodes on one spot
        node.position({x: p.x + r * Math.cos(a), y: p.y + r * Math.sin(a)});
    }

    /* A new element with a class and text content (never HTML). */
    function element(tag, className, text) {
        const el = document.createElement(tag);
        if (className) { el.className = className; }
        if (text !== undefined) { el.textContent = text; }
        return el;
    }

    function withChildren(el, children) {
        children.forEach(function (c) { el.append(c); });
        return el;
    }

    function list(items, makeItem, className) {
        return withChildren(element("ul", className), items.map(makeItem));
    }

    /* A link inside the app ({text, href}, href a path): moves like a dcc.Link, without a reload. */
    function appLink(link) {
        if (!/^\/(?!\/)/.test(link.href || "")) { return element("span", "", link.text); }
        const a = element("a", "node-link", link.text);
        a.href = link.href;
        a.addEventListener("click", function (ev) {
            if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) { return; }
            ev.preventDefault();
            window.history.pushState({}, "", link.href);
            window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
            window.scrollTo(0, 0);
        });
        return a;
    }

    /* A link out of the app, in a new tab without a handle on this one (http(s) only). */
    function externalLink(link) {
        if (!/^https?:\/\//i.test(link.href || "")) { return element("span", "", link.text); }
        const a = element("a", "external", link.text);
        a.href = link.href;
        a.target = "_blank";
        a.rel = "noopener noreferrer nofollow";
        return a;
    }

    let runs = 0;         // canvas updates asked for; an answer to an older one is dropped

    /* Make the canvas show exactly ``canvas.elements``: remove what is gone, add what is new (placed
     * beside ``canvas.anchor``), update classes and labels of the rest; then run ``canvas.layout``.
     * A view that is already shown (same query, kept on the instance as ``_mlsdQuery``) is left alone. */
    function updateCanvas(cy, canvas) {
        if (canvas.query !== undefined && canvas.query === cy._mlsdQuery) { return; }
        cy._mlsdQuery = canvas.query;
        if (canvas.query !== undefined) {  // the node the toolbar's buttons act on
            const q = new URLSearchParams(canvas.query);
            cy._mlsdSelected = q.get("selected") || q.get("focus");
        }
        const want = new Map();
        canvas.elements.forEach(function (e) { want.set(e.data.id, e); });
        const fresh = canvas.elements.filter(function (e) {
            return e.data.source === undefined && cy.getElementById(e.data.id).empty();
        });
        const spot = planPlacement(cy, canvas.anchor, fresh.length);
        cy.batch(function () {
            cy.elements().forEach(function (ele) { if (!want.has(ele.id()) && ele.inside()) { ele.remove(); } });
            const nodes = [], edges = [];
            want.forEach(function (e, id) {
                const ele = cy.getElementById(id);
                if (ele.empty()) { (e.data.source === undefined ? nodes : edges).push(e); return; }
                if (ele.data("label") !== e.data.label) { ele.data("label", e.data.label); }
                if (ele.classes().join(" ") !== (e.classes || "")) { ele.classes(e.classes || ""); }
            });
            cy.add(nodes).forEach(function (node) { place(spot, node); });
            cy.add(edges);
        });
        if (canvas.layout.name === "preset") {
            fitNodes(cy, canvas.layout.padding || 24);
        } else {
            cy.layout(Object.assign({}, canvas.layout)).run();
        }
    }

    /* Fit the view to the nodes' own boxes: what cy.fit() does, without measuring every label first
     * (most of the cost of showing an expansion). */
    function fitNodes(cy, padding) {
        const nodes = cy.nodes();
        if (!nodes.length) { return; }
        const bb = nodes.boundingBox({includeLabels: false, includeOverlays: false});
        const w = cy.width() - 2 * padding, h = cy.height() - 2 * padding;
        if (w <= 0 || h <= 0) { return; }
        let zoom = Math.min(w / Math.max(bb.w, 1), h / Math.max(bb.h, 1));
        zoom = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), zoom, 1.5));
        cy.viewport({zoom: zoom, pan: {x: (cy.width() - zoom * (bb.x1 + bb.x2)) / 2,
                                       y: (cy.height() - zoom * (bb.y1 + bb.y2)) / 2}});
    }

    /* Answers of the server's JSON route (app/explore_api.py): what the page shows after an event
     * on a node, {query, canvas, details}. Asked ahead for a double-click when the pointer rests on
     * or presses a node, so the answer is usually there when the double-click comes. Keyed by the
     * view shown, the event and the node; a few dozen at most are kept. */
    const answers = new Map();
    function viewAfter(cy, event, ref) {
        const key = cy._mlsdQuery + "|" + event + "|" + ref;
        if (!answers.has(key)) {
            if (answers.size > 40) { answers.clear(); }
            answers.set(key, fetch("/_mlsd/view", {
                method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({query: cy._mlsdQuery, event: event, ref: ref}),
            }).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; }));
        }
        return answers.get(key);
    }

    /* An interaction drawn from the route's answer before the page's Dash callback hears of it:
     * ``draw(answer)`` shows what changes; after that frame is painted, ``report(query)`` gives the
     * callback the view now shown, and the callback (event "goto") only brings its state, the
     * address bar and the status line to it - its copy of the canvas and details changes nothing.
     * Without an answer, ``report()`` passes the plain event and the callback draws as before. An
     * answer that arrives after a newer interaction began is dropped. */
    let acts = 0;
    function act(cy, event, ref, draw, report) {
        if (!cy || cy._mlsdQuery === undefined) { report(); return; }
        const mine = ++acts;
        viewAfter(cy, event, ref).then(function (answer) {
            if (mine !== acts) { return; }
            if (!answer) { report(); return; }
            draw(answer);
            requestAnimationFrame(function () { setTimeout(function () { report(answer.query); }, 0); });
        });
    }

    /* Tell the Dash callback of an interaction: {id, ts, double, query} into one of its stores. */
    function tell(store, ref, double, query) {
        const data = {id: ref, ts: Date.now(), double: double};
        if (query !== undefined) { data.query = query; }
        window.dash_clientside.set_props(store, {data: data});
    }

    /* The details panel from its data (mlsd.app.explore_panels.details_data), drawn with
     * textContent only; a link inside the app moves like a dcc.Link (history, no reload). */
    function drawDetails(data) {
        const panel = document.getElementById("explore-details");
        const json = JSON.stringify(data);
        if (!panel || !data || panel._mlsdShown === json) { return; }  // not drawn twice
        panel._mlsdShown = json;
        const out = [];
        if (data.notice) {
            const box = element("div", "notice notice-" + data.notice.kind);
            box.setAttribute("role", data.notice.kind === "error" ? "alert" : "status");
            box.append(element("p", "", data.notice.text));
            panel.replaceChildren(box);
            return;
        }
        const head = element("div", "details-head");
        const badge = element("span", "badge", data.kind);
        badge.style.backgroundColor = data.colour;
        const title = element("h2", "details-title", data.title);
        title.id = "explore-details-title";
        head.append(badge, title);
        out.push(head);
        if (data.synonyms) {
            const p = element("p", "muted", "Also called: ");
            p.append(element("span", "synonyms", data.synonyms));
            out.push(p);
        }
        if (data.definition) { out.push(element("p", "definition", data.definition)); }
        out.push(withChildren(element("div", "details-actions"), data.actions.map(appLink)));
        if (data.more_note) { out.push(element("div", "more-note", data.more_note)); }
        if (data.links.length) { out.push(withChildren(element("div", "links"), data.links.map(externalLink))); }
        if (data.facts.length) {
            const dl = element("dl", "facts");
            data.facts.forEach(function (f) { dl.append(element("dt", "", f[0]), element("dd", "", f[1])); });
            out.push(dl);
        }
        if (data.locations.length) {
            out.push(element("h3", "", "Where the book discusses it"));
            const ul = list(data.locations, function (loc) {
                return withChildren(element("li", "location"), [loc.href ? appLink(loc) : document.createTextNode(loc.text)]);
            }, "locations");
            ul.id = "explore-locations";
            out.push(ul);
        } else if (data.no_locations) {
            out.push(element("p", "muted", data.no_locations));
        }
        [["Symptoms", data.symptoms], ["Trade-offs", data.tradeoffs]].forEach(function (pair) {
            if (pair[1].length) {
                out.push(element("h3", "", pair[0]), list(pair[1], function (text) { return element("li", "", text); }));
            }
        });
        if (data.tools.items.length) {
            out.push(element("h3", "", data.tools.title));
            out.push(list(data.tools.items, function (t) {
                return withChildren(element("li"), [appLink(t), element("div", "why", t.why)]);
            }, "tool-list"));
            if (data.tools.all) { out.push(appLink(data.tools.all)); }
        }
        if (data.techniques.length) {
            out.push(element("h3", "", "Techniques that address it"));
            out.push(list(data.techniques, function (t) { return withChildren(element("li"), [appLink(t)]); }));
        }
        data.groups.forEach(function (g) {
            const box = element("details");
            box.open = g.open;
            box.append(element("summary", "", g.title), list(g.items, function (i) {
                return withChildren(element("li"), [appLink(i), document.createTextNode("  " + i.kind)]);
            }, "group-list"));
            if (g.rest) { box.append(element("p", "muted", g.rest)); }
            out.push(box);
        });
        panel.replaceChildren.apply(panel, out);
    }

    /* The toolbar's Expand, Show more and Collapse act on the selected node as a double-click does:
     * drawn from the view route (asked ahead while the pointer rests on the button), then told to
     * the Dash callback through explore-act. Such a click stops here, so Dash's own n_clicks
     * path does not run it a second time; before the canvas is bound, that path handles it. */
    const REST_MS = 80;  // a pointer resting this long on a node or button has its answer asked ahead
    const TOOLBAR = [["explore-expand", "expand"], ["explore-more", "more"], ["explore-collapse", "collapse"]];
    function bindToolbar() {
        TOOLBAR.forEach(function (pair) {
            const button = document.getElementById(pair[0]), event = pair[1];
            if (!button || button._mlsdBound) { return; }  // React may keep the button across pages
            button._mlsdBound = true;
            let wait = null;
            button.addEventListener("mouseenter", function () {
                clearTimeout(wait);
                wait = setTimeout(function () {
                    const cy = findCy("explore-graph");
                    if (cy && cy._mlsdSelected && cy._mlsdQuery !== undefined) { viewAfter(cy, event, cy._mlsdSelected); }
                }, REST_MS);
            });
            button.addEventListener("mouseleave", function () { clearTimeout(wait); });
            button.addEventListener("click", function (ev) {
                const cy = findCy("explore-graph");
                if (!cy || !cy._mlsdSelected || cy._mlsdQuery === undefined) { return; }
                ev.stopPropagation();
                const ref = cy._mlsdSelected;
                act(cy, event, ref, function (answer) { updateCanvas(cy, answer.canvas); }, function (query) {
                    const data = {id: ref, event: event, ts: Date.now()};
                    if (query !== undefined) { data.query = query; }
                    window.dash_clientside.set_props("explore-act", {data: data});
                });
            });
        });
    }

    /* ``f`` when the browser is idle (at most ``ms`` later): after React has rendered what Dash
     * just received, so a layout run here never holds up the details. */
    function whenIdle(f, ms) {
        if (window.requestIdleCallback) { window.requestIdleCallback(f, {timeout: ms || 300}); } else { setTimeout(f, 50); }
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        mlsd: {
            /* Once per canvas: replace dash-cytoscape's own event handlers with Explore's.
             * dash-cytoscape copies every tap (with the node's full computed style), hover, selection,
             * viewport change and - 100 ms after any add/remove - the whole element list back into Dash
             * props; each copy re-renders the component, which diffs every element again. Explore reads
             * none of those props, so they are dropped; a tap sends only the node id. */
            bindCanvas: function (id) {
                function bind(tries) {
                    const cy = findCy(id);
                    if (!cy) { if (tries > 0) { setTimeout(function () { bind(tries - 1); }, 50); } return; }
                    if (cy._mlsdBound) { return; }
                    cy._mlsdBound = true;
                    // (Cytoscape's own listeners - bounds, dirty, style, render, resize - stay)
                    cy.off("tap mouseover mouseout select unselect add remove dragfree viewport");
                    // two clicks up to 400 ms apart make a double-click (Cytoscape's default, 250 ms,
                    // misses an unhurried one; desktops use 400-500 ms)
                    cy.multiClickDebounceTime(400);
                    let last = {ref: null, at: 0}, rest = null;
                    cy.on("tap", "node", function (ev) {
                        const ref = ev.target.id(), at = performance.now();
                        if (ref.startsWith("more::")) {  // "+N more": the next neighbours of its node
                            act(cy, "more", ref.slice(6), function (answer) { updateCanvas(cy, answer.canvas); },
                                function (query) { tell("explore-tap", ref, false, query); });
                            return;
                        }
                        // the second click of a double-click selects nothing new: no round trip
                        const again = ref === last.ref && at - last.at < 600;
                        last = {ref: ref, at: at};
                        if (!again) {
                            cy._mlsdSelected = ref;
                            act(cy, "select", ref, function (answer) { drawDetails(answer.details); },
                                function (query) { tell("explore-tap", ref, false, query); });
                        }
                    });
                    cy.on("dbltap", "node", function (ev) {
                        const ref = ev.target.id();
                        if (ref.startsWith("more::")) { return; }  // its taps already showed more
                        act(cy, "expand", ref, function (answer) { updateCanvas(cy, answer.canvas); },
                            function (query) { tell("explore-dbl", ref, true, query); });
                    });
                    cy.on("tapstart", "node", function (ev) {
                        if (!ev.target.id().startsWith("more::") && cy._mlsdQuery !== undefined) {
                            viewAfter(cy, "expand", ev.target.id());
                        }
                    });
                    cy.on("mouseover", "node", function (ev) {
                        const ref = ev.target.id();
                        clearTimeout(rest);
                        if (!ref.startsWith("more::") && cy._mlsdQuery !== undefined) {
                            rest = setTimeout(function () { viewAfter(cy, "expand", ref); }, REST_MS);
                        }
                    });
                    cy.on("mouseout", "node", function () { clearTimeout(rest); });
                    bindToolbar();
                }
                bind(100);
                return noUpdate();
            },

            /* A canvas update from the server ({elements, layout, anchor}), applied to the Cytoscape
             * instance directly: the component's own ``elements`` prop stays empty, so React never
             * diffs the element list (a page re-render cannot add an element twice either). An
             * expansion ("preset": nodes already drawn stay put) is shown at once; a new view waits
             * until the browser has rendered the rest of the answer, so the details never wait for
             * its layout. */
            applyCanvas: function (canvas) {
                if (!canvas || !canvas.elements) { return noUpdate(); }
                const run = ++runs;
                function apply(tries) {
                    if (run !== runs) { return; }  // a newer update came in meanwhile
                    const cy = findCy("explore-graph");
                    if (!cy) { if (tries > 0) { setTimeout(function () { apply(tries - 1); }, 30); } return; }
                    updateCanvas(cy, canvas);
                }
                if (canvas.layout && canvas.layout.name === "preset" && findCy("explore-graph")) {
                    apply(0);
                } else {
                    // Dash renders asynchronously: a plain timer could run the layout before the details
                    requestAnimationFrame(function () { whenIdle(function () { apply(100); }); });
                }
                return noUpdate();
            },

            /* "Tidy layout": run the chosen layout again over everything shown (expansions only
             * place the new nodes). ``layouts`` maps a layout name to its options. */
            tidy: function (n, layouts, state) {
                const cy = findCy("explore-graph");
                if (!n || !cy || !layouts || !state) { return noUpdate(); }
                const options = Object.assign({}, layouts[state.layout] || layouts.cose);
                if (options.name === "breadthfirst") { options.roots = [state.focus]; }
                cy.layout(options).run();
                return noUpdate();
            },

            /* Suggestions are asked for only when there are two characters to match; clearing the box
             * empties the list here, without a server round trip. */
            searchText: function (text) {
                const t = (text || "").trim();
                if (t.length < 2) {
                    const box = document.getElementById("explore-hits");
                    if (box) { box.replaceChildren(); }
                    return noUpdate();
                }
                return t;
            },

            showDetails: function (data) {
                drawDetails(data);
                return noUpdate();
            },

            /* Draw the suggestions ({text, hits}) as plain elements with text content (React never
             * renders into this box). A pick is drawn from the view route, then told to explore-pick.
             * An answer for text the box no longer holds is dropped. */
            showHits: function (data) {
                const box = document.getElementById("explore-hits");
                const input = document.getElementById("explore-search");
                if (!box || !data || (input && input.value.trim() !== data.text)) { return noUpdate(); }
                box.replaceChildren();
                if (data.text.length < 2) { return noUpdate(); }
                if (!data.hits.length) {
                    box.append(element("div", "hit-empty", "Nothing matches \u201c" + data.text +
                                       "\u201d. Try fewer words, or another name for it."));
                    return noUpdate();
                }
                const list = element("ul", "hit-list");
                list.setAttribute("role", "listbox");
                data.hits.forEach(function (hit) {
                    const button = element("button", "hit");
                    button.type = "button";
                    const badge = element("span", "badge", hit.kind);
                    badge.style.backgroundColor = hit.colour;
                    button.append(badge, element("span", "hit-label", hit.label), element("span", "muted small", " " + hit.matched));
                    button.addEventListener("click", function () {
                        box.replaceChildren();
                        const cy = findCy("explore-graph");
                        act(cy, "focus", hit.id, function (answer) {
                            drawDetails(answer.details);
                            whenIdle(function () { updateCanvas(cy, answer.canvas); });  // then the new view
                        }, function (query) { tell("explore-pick", hit.id, false, query); });
                    });
                    const item = element("li");
                    item.append(button);
                    list.append(item);
                });
                box.append(list);
                return noUpdate();
            },

            /* The ~1000 names the path inputs suggest, made here rather than as Dash components (which
             * would slow every update of the page); set as option values, never parsed as HTML. */
            fillNames: function (names) {
                const list = document.getElementById("explore-names");
                if (list && names && !list.childElementCount) {
                    list.replaceChildren.apply(list, names.map(function (name) {
                        const o = document.createElement("option");
                        o.value = name;
                        return o;
                    }));
                }
                return noUpdate();
            },

            /* Keep the address bar in step with the view without reloading the page. */
            syncUrl: function (href) {
                if (href && window.location.pathname === "/" && window.location.search !== href) {
                    window.history.replaceState(window.history.state, "", "/" + href);
                }
                return null;
            },
        },
    });
})();

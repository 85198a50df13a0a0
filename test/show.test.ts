import { describe, expect, it, vi } from "vitest";
import { figureFragment, figureHtml, plot, plotlyBundleHtml } from "../lib/show/plot";
import { formatCell, tableHtml, tableText } from "../lib/show/table";

describe("tables", () => {
  it("formats numbers to significant digits, integers as they are", () => {
    expect(formatCell(3)).toBe("3");
    expect(formatCell(0.123456)).toBe("0.1235");
    expect(formatCell(123.456, 3)).toBe("123");
    expect(formatCell(1.5e-5)).toBe("1.500e-5");
    expect(formatCell(NaN)).toBe("NaN");
    expect(formatCell(null)).toBe("");
  });

  it("renders records with the union of their keys, escaped, numbers right-aligned", () => {
    const html = tableHtml([{ a: 1, b: "<x>" }, { a: 2.5, c: true }], { caption: "T" });
    expect(html).toContain("<caption");
    expect(html).toContain("&lt;x&gt;");
    expect((html.match(/<th /g) ?? []).length).toBe(3);
    expect(html).toMatch(/<th style="text-align:right">a<\/th>/);
    expect(html).toMatch(/<th style="text-align:left">b<\/th>/);
  });

  it("renders a danfojs-node DataFrame", async () => {
    const dfd = await import("danfojs-node");
    const df = new dfd.DataFrame({ epoch: [1, 2], loss: [0.5, 0.25] });
    const text = tableText(df);
    expect(text.split("\n")[0]).toMatch(/epoch\s+loss/);
    expect(text).toContain("0.25");
    expect(tableHtml(df)).toContain("<td style=\"text-align:right\">0.5</td>");
  });
});

describe("plotly figures", () => {
  it("embeds the bundle without a closing script tag inside it", () => {
    const html = plotlyBundleHtml();
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(html.match(/<\/script/gi)?.length).toBe(1);
  });

  it("a fragment carries the data as JSON that cannot break out of its script", () => {
    const frag = figureFragment({ data: [{ type: "scatter", x: [1], y: [2], name: "</script><b>" }], layout: { xaxis: { title: { text: "t (s)" } } } });
    expect(frag).toContain('class="kit-figure"');
    expect(frag.match(/<\/script>/g)?.length).toBe(1);
    const json = /var fig = (.*);\n/.exec(frag)![1];
    const fig = JSON.parse(json.replace(/<\\\//g, "</"));
    expect(fig.data[0].name).toBe("</script><b>");
    expect(fig.layout.xaxis.showline).toBe(true);
    expect(fig.layout.xaxis.title.text).toBe("t (s)");
  });

  it("warns when a 2-D figure has unlabelled axes, and not for 3-D ones", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    plot([{ type: "scatter", x: [1], y: [1] }], { xaxis: { title: { text: "x (m)" } } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain("yaxis");
    plot([{ type: "scatter3d", x: [1], y: [1], z: [1] } as never]);
    expect(warn).toHaveBeenCalledTimes(1);
    // A grid: the bottom-left panel's axes carry the titles; an image's hidden axes need none.
    plot([{ type: "scatter", x: [1], y: [1] }], { xaxis: { title: { text: "" } }, xaxis2: { title: { text: "step" } }, yaxis: { title: { text: "loss" } } });
    plot([{ type: "scatter", x: [1], y: [1] }], { xaxis: { visible: false }, yaxis: { visible: false } });
    expect(warn).toHaveBeenCalledTimes(1);
    plot([{ type: "scatter", x: [1], y: [1] }], { xaxis: { title: { text: "" } }, xaxis2: { title: { text: "" } }, yaxis: { title: { text: "loss" } } });
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
    log.mockRestore();
  });

  it("a standalone page holds the bundle once and every figure", () => {
    const page = figureHtml([{ data: [] }, { data: [] }], "two");
    expect(page.match(/kit-figure"/g)?.length).toBe(2);
    expect(page.match(/kit: plotly\.js-dist-min bundle/g)?.length).toBe(1);
  });
});

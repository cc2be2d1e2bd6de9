using System.Text.Json.Nodes;
using Brrr.Inspection;
using Microsoft.AspNetCore.Http;

namespace Brrr.AspNetCore;

public static partial class BrrrAdminEndpoints
{
    /// <summary>The dead-letter handlers: a page of letters, one letter, and requeue or purge by id, ids or filter.</summary>
    private sealed partial class AdminApi
    {
        private static readonly string[] FilterFields = ["id", "ids", "topic", "task", "root_id", "error_type", "since", "until", "malformed", "all"];

        public async Task<IResult> DeadLettersAsync(AdminRequest r)
        {
            var filter = new DeadLetterFilter
            {
                Topic = r.Query("topic"),
                TaskName = r.Query("task"),
                RootId = r.Query("root_id"),
                ErrorType = r.Query("error_type"),
                Since = r.QueryTime("since"),
                Until = r.QueryTime("until"),
                Malformed = r.QueryFlag("malformed"),
            };
            var offset = r.QueryInt("offset", 0, 0, DeadLetterAdmin.MaxScanned);
            var limit = r.QueryInt("limit", 100, 1, options.MaxPageSize);
            var page = await _letters.PageAsync(filter, offset, limit, r.CancellationToken).ConfigureAwait(false);
            return Json(new JsonObject
            {
                ["total"] = page.Total,
                ["offset"] = offset,
                ["limit"] = limit,
                ["letters"] = new JsonArray([.. page.Letters.Select(l => FleetJson.Letter(l, withMessage: false))]),
            });
        }

        public async Task<IResult> DeadLetterAsync(AdminRequest r)
        {
            var id = CallHashes.Check(r.Http.Request.RouteValues["id"] as string ?? "");
            return await _letters.ShowAsync(id, r.CancellationToken).ConfigureAwait(false) is { } letter
                ? Json(FleetJson.Letter(letter, withMessage: true))
                : Problem(StatusCodes.Status404NotFound, $"no dead letter has the id {id}");
        }

        public async Task<IResult> ActAsync(AdminRequest r, Func<DeadLetterAdmin, DeadLetterFilter, CancellationToken, Task<DeadLetterActionResult>> act)
        {
            var body = await r.BodyAsync(FilterFields).ConfigureAwait(false);
            var id = AdminRequest.Text(body, "id") is { } given ? CallHashes.Check(given) : null;
            var filter = new DeadLetterFilter
            {
                Id = id,
                Ids = Ids(body),
                Topic = AdminRequest.Text(body, "topic"),
                TaskName = AdminRequest.Text(body, "task"),
                RootId = AdminRequest.Text(body, "root_id"),
                ErrorType = AdminRequest.Text(body, "error_type"),
                Since = AdminRequest.Time("since", AdminRequest.Text(body, "since")),
                Until = AdminRequest.Time("until", AdminRequest.Text(body, "until")),
                Malformed = AdminRequest.Flag(body, "malformed"),
            };
            if (filter == DeadLetterFilter.All && AdminRequest.Flag(body, "all") != true)
            {
                throw AdminRequest.Bad("name the letters: an id, ids, a filter (topic, task, root_id, error_type, since, until, malformed) or \"all\": true");
            }

            var result = await act(_letters, filter, r.CancellationToken).ConfigureAwait(false);
            return id is not null && result.Matched == 0
                ? Problem(StatusCodes.Status404NotFound, $"no dead letter has the id {id}")
                : Json(FleetJson.Action(result));
        }

        /// <summary>The body's <c>ids</c>: a selection of 1 to <see cref="BrrrAdminOptions.MaxPageSize"/> letter ids, or null.</summary>
        private IReadOnlyCollection<string>? Ids(JsonObject body) => body["ids"] switch
        {
            null => null,
            JsonArray { Count: > 0 } ids when ids.Count <= options.MaxPageSize =>
                [.. ids.Select(i => i is JsonValue v && v.TryGetValue<string>(out var text) ? CallHashes.Check(text) : throw AdminRequest.Bad("'ids' must hold strings"))],
            _ => throw AdminRequest.Bad($"'ids' must be an array of 1 to {options.MaxPageSize} letter ids"),
        };
    }
}

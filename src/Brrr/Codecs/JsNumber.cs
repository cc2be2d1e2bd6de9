using System.Buffers;
using System.Globalization;
using System.Numerics;

namespace Brrr.Codecs;

/// <summary>
/// Numbers exactly as JavaScript's <c>Number.prototype.toString</c> (and so <c>JSON.stringify</c>) writes them
/// (ECMA-262 Number::toString): the shortest digits that read back, plain up to 21 digits before the point
/// (<c>123456789012345680000</c>), exponent form from 1e21 up (<c>1.5e+21</c>) and below 1e-6 (<c>1e-7</c>), and
/// <c>-0</c> as <c>0</c>.
/// </summary>
internal static class JsNumber
{
    /// <summary>The most bytes <see cref="Format{T}"/> writes.</summary>
    public const int MaxBytes = 32;

    /// <summary>Writes the finite <paramref name="value"/> into <paramref name="destination"/> (at least <see cref="MaxBytes"/> long).</summary>
    /// <remarks>A <see cref="float"/> or <see cref="Half"/> is written with its own shortest digits (0.1f as <c>0.1</c>).</remarks>
    public static int Format<T>(T value, Span<byte> destination)
        where T : IFloatingPointIeee754<T>
    {
        Span<byte> roundTrip = stackalloc byte[MaxBytes];
        // .NET's round-trip form has the same shortest digits, only laid out differently ("1.5E+21", "1E-07").
        if (!value.TryFormat(roundTrip, out var length, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"The number {value} did not fit in {MaxBytes} bytes.");
        }

        return Layout(roundTrip[..length], destination);
    }

    /// <summary>
    /// Writes a JSON number token as read: digits only (an integer) as they are, except <c>-0</c> as <c>0</c>;
    /// with a fraction or an exponent as the double it reads as, in <see cref="Format{T}"/>'s form.
    /// </summary>
    /// <exception cref="ArgumentException">The number is beyond the range of a double.</exception>
    public static void WriteToken(ReadOnlySpan<byte> token, IBufferWriter<byte> output)
    {
        if (token.IndexOfAny(".eE"u8) < 0)
        {
            var digits = token.SequenceEqual("-0"u8) ? "0"u8 : token;
            digits.CopyTo(output.GetSpan(digits.Length));
            output.Advance(digits.Length);
            return;
        }

        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new ArgumentException(
                $"The JSON number {System.Text.Encoding.UTF8.GetString(token)} is beyond the range of a double, which JavaScript reads it as.",
                nameof(token));
        }

        output.Advance(Format(value, output.GetSpan(MaxBytes)));
    }

    // Lays out .NET's round-trip form (-?digits[.digits][E[+-]digits]) as ECMA-262 Number::toString does.
    private static int Layout(ReadOnlySpan<byte> roundTrip, Span<byte> destination)
    {
        var negative = roundTrip[0] == (byte)'-';
        var mark = roundTrip.IndexOfAny((byte)'E', (byte)'e');
        var mantissa = roundTrip[(negative ? 1 : 0)..(mark < 0 ? roundTrip.Length : mark)];
        var exponent = mark < 0 ? 0 : int.Parse(roundTrip[(mark + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        Span<byte> digits = stackalloc byte[mantissa.Length];
        var count = 0;
        var point = -1;
        foreach (var b in mantissa)
        {
            if (b == (byte)'.')
            {
                point = count;
            }
            else
            {
                digits[count++] = b;
            }
        }

        var lead = digits[..count].IndexOfAnyExcept((byte)'0');
        if (lead < 0)
        {
            destination[0] = (byte)'0';
            return 1;
        }

        var significant = digits[lead..(digits[..count].LastIndexOfAnyExcept((byte)'0') + 1)];
        // The value is 0.significant × 10^n; k digits.
        var n = (point < 0 ? count : point) - lead + exponent;
        var k = significant.Length;
        var at = 0;
        if (negative)
        {
            destination[at++] = (byte)'-';
        }

        if (k <= n && n <= 21)
        {
            significant.CopyTo(destination[at..]);
            destination.Slice(at + k, n - k).Fill((byte)'0');
            return at + n;
        }

        if (0 < n && n <= 21)
        {
            significant[..n].CopyTo(destination[at..]);
            destination[at + n] = (byte)'.';
            significant[n..].CopyTo(destination[(at + n + 1)..]);
            return at + k + 1;
        }

        if (-6 < n && n <= 0)
        {
            "0."u8.CopyTo(destination[at..]);
            destination.Slice(at + 2, -n).Fill((byte)'0');
            significant.CopyTo(destination[(at + 2 - n)..]);
            return at + 2 - n + k;
        }

        destination[at++] = significant[0];
        if (k > 1)
        {
            destination[at++] = (byte)'.';
            significant[1..].CopyTo(destination[at..]);
            at += k - 1;
        }

        destination[at++] = (byte)'e';
        destination[at++] = n - 1 < 0 ? (byte)'-' : (byte)'+';
        Math.Abs(n - 1).TryFormat(destination[at..], out var written, default, CultureInfo.InvariantCulture);
        return at + written;
    }
}

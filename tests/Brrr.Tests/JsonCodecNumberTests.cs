using System.Numerics;
using System.Text.Json.Nodes;
using Brrr.Codecs;
using static Brrr.Tests.TestSupport;

namespace Brrr.Tests;

/// <summary>Numbers of the demo JSON codec: written as JavaScript writes them, integers read from what JavaScript writes.</summary>
public sealed class JsonCodecNumberTests
{
    private static readonly JsonCodec Codec = JsonCodec.Default;

    public sealed record DoubleArgs(double X);

    public sealed record IntArgs(int N);

    public sealed record LongArgs(long N);

    public sealed record BigArgs(BigInteger N);

    public sealed record SmallArgs(short S, ushort U, sbyte B, byte Ub, uint Ui, ulong Ul);

    public sealed record DecimalArgs(decimal Price);

    public sealed record SingleArgs(float F, Half H);

    private static Call CallOf(string payload) => new("fib", Utf8(payload), "h");

    // The bits of a double and what node 20 writes for it (JSON.stringify): edge cases, then 40 random bit patterns
    // and 20 random decimals of 1 to 17 digits, made once by a script and pasted here.
    public static TheoryData<ulong, string> Doubles => new()
    {
        { 0x4454542BA12A337C, "1.5e+21" },
        { 0x4340000000000000, "9007199254740992" },
        { 0x444B1AE4D6E2EF50, "1e+21" },
        { 0x441AC53A7E04BCDA, "123456789012345680000" },
        { 0x8000000000000000, "0" },
        { 0x3FB999999999999A, "0.1" },
        { 0x3E7AD7F29ABCAF48, "1e-7" },
        { 0x3E8421F5F40D8376, "1.5e-7" },
        { 0x3EB0C6F7A0B5ED8D, "0.000001" },
        { 0x3EB4B3FD5942CD96, "0.000001234" },
        { 0x0000000000000001, "5e-324" },
        { 0x7FEFFFFFFFFFFFFF, "1.7976931348623157e+308" },
        { 0xFFEFFFFFFFFFFFFF, "-1.7976931348623157e+308" },
        { 0x3FD5555555555555, "0.3333333333333333" },
        { 0xBFE5555555555555, "-0.6666666666666666" },
        { 0x4059000000000000, "100" },
        { 0x4415AF1D78B58C40, "100000000000000000000" },
        { 0x444B1AE4D6E2EF4F, "999999999999999900000" },
        { 0x44A27384F3E9829B, "4.356677625885486e+22" },
        { 0x3FD3333333333334, "0.30000000000000004" },
        { 0x405EDD2F1A9FBE77, "123.456" },
        { 0xBDE49DA7E361CE4C, "-1.5e-10" },
        { 0x0000000000000003, "1.5e-323" },
        { 0x0010000000000000, "2.2250738585072014e-308" },
        { 0x3EE4F8B588E368F1, "0.00001" },
        { 0x3EA0C6F7A0B5ED8D, "5e-7" },
        { 0x41678C29DCCCCCCD, "12345678.9" },
        { 0x7E37E43C8800759C, "1e+300" },
        { 0x433FC6E116668E68, "8944394323791464" },
        { 0x43E0000000000000, "9223372036854776000" },
        { 0x43F0000000000000, "18446744073709552000" },
        { 0x1C0D57F10C894254, "1.4830122828920016e-173" },
        { 0x43F04A6ECE53D613, "18781959765316678000" },
        { 0xE2B8410510668FA6, "-3.575532127436644e+167" },
        { 0xD5F2E30A9E501B7D, "-1.0829258728928171e+106" },
        { 0x535C8EA8A4E05948, "3.7230187291668613e+93" },
        { 0x8F7B1BAC9609EAF7, "-4.262874002980358e-234" },
        { 0xCB3AF636587957BA, "-2.5824242072052563e+54" },
        { 0x6438F14DFE833301, "6.169062368256605e+174" },
        { 0xD0AF9825C659F77C, "-4.682717518917287e+80" },
        { 0x302BD02B522A861B, "1.2009957333271821e-76" },
        { 0xFD70522E931F790E, "-1.6677967842578716e+296" },
        { 0xFBA9A1630E23BAC5, "-4.878446657335358e+287" },
        { 0x29616CCB5E0010F0, "2.318589285015657e-109" },
        { 0xD37BF421A1818B7F, "-1.4577297053362402e+94" },
        { 0x7A5B1BAA844C07A2, "2.4603368763737895e+281" },
        { 0x552E421879D836C9, "2.1178316544328792e+102" },
        { 0xA92E8EAF3493D9A4, "-2.5412503051231247e-110" },
        { 0x5FE48BDEEAD11F23, "8.60880578948587e+153" },
        { 0x618D3E487FFB5776, "8.222691106237041e+161" },
        { 0x5CD158BA16A76B0D, "1.29107691235244e+139" },
        { 0x07727DF42B81C598, "8.54570675525937e-273" },
        { 0x16E635E91FB5A507, "2.3213088696070116e-198" },
        { 0x38C4AC26C846FC8A, "3.1104470921459883e-35" },
        { 0x8ADE8C37577C5B91, "-2.5430944865444634e-256" },
        { 0xA7E5B8AD611588CC, "-1.722738704669676e-116" },
        { 0x83785723E5C9C12B, "-6.097780315332402e-292" },
        { 0xDAB33022A4B9CADE, "-8.312822724526027e+128" },
        { 0x41B96AB112EA4C55, "426422546.91522723" },
        { 0x4B0E14FA2FEE1740, "3.601597095685222e+53" },
        { 0x7402F3FB0A0A578F, "6.784931974924426e+250" },
        { 0xF33082C146E3D672, "-7.215120195549942e+246" },
        { 0x087799F31D30C159, "7.14794175889519e-268" },
        { 0x0C996E223DB1A4F4, "5.6829459783155954e-248" },
        { 0xE7860860627A8C33, "-4.908348627938077e+190" },
        { 0xC360B934D02E7346, "-37657888876108340" },
        { 0x48A12D9E7A7F7E9D, "7.482161107104073e+41" },
        { 0x7C5B2A840D01A5E8, "1.0589678202639377e+291" },
        { 0x36AED0278207C317, "2.698647105952319e-45" },
        { 0x2F32DF6D0CF0355A, "2.487004346447123e-81" },
        { 0x3C98A1D5C22D541F, "8.546e-17" },
        { 0x3C0DD5359C40E4D6, "2.0215525e-19" },
        { 0x3FE3645A1CAC0831, "0.606" },
        { 0x419514CCB4000000, "88421165" },
        { 0x3F61FC22BF8C613C, "0.002195423" },
        { 0x425B271EE2940000, "466481810000" },
        { 0x3FD58897F452F8A0, "0.33646201" },
        { 0x408C2985532617C1, "901.1900999999999" },
        { 0x3D00974181F972CA, "7.3678145e-15" },
        { 0x3E1CFDB417C18A1B, "1.6875e-9" },
        { 0x3FE184A7CA5EDE5D, "0.54744329" },
        { 0x3B206360F8964C52, "6.778e-24" },
        { 0x41B05C35A4000000, "274478500" },
        { 0x3BC4A11F84355C8F, "8.7368853e-21" },
        { 0x447B4EEF8404A307, "8.06e+21" },
        { 0x4341015C6825AE00, "9573142000000000" },
        { 0x43AAD7E992681AC8, "967135690000000000" },
        { 0x395DC8263E0F3D2F, "2.2943090000000002e-32" },
        { 0x4125BB4880000000, "712100.25" },
        { 0x3C90667A9C8B5690, "5.69e-17" },
    };

    [Theory]
    [MemberData(nameof(Doubles))]
    public void Doubles_are_written_as_json_stringify_writes_them_whichever_way_they_are_written(ulong bits, string expected)
    {
        var value = BitConverter.UInt64BitsToDouble(bits);
        Assert.Equal(expected, Text(Codec.EncodeReturn(value)));
        Assert.Equal($"[{{\"x\":{expected}}}]", Text(Codec.EncodeCall("t", new DoubleArgs(value)).Payload));
        Assert.Equal($"[{{\"x\":{expected}}}]", Text(Codec.EncodeCall("t", new JsonObject { ["x"] = value }).Payload));
        Assert.Equal($"[{{\"x\":{expected}}}]", Text(Codec.EncodeCall("t", new Dictionary<string, double> { ["x"] = value }).Payload));
        Assert.Equal(Codec.EncodeCall("t", new DoubleArgs(value)).CallHash, Codec.EncodeCall("t", new JsonObject { ["x"] = value }).CallHash);
        Assert.Equal(value, Codec.DecodeArgs<DoubleArgs>(CallOf($"[{{\"x\":{expected}}}]")).X);
    }

    [Fact]
    public void Floats_and_halves_are_written_with_their_own_shortest_digits_in_javascript_form()
    {
        Assert.Equal("0.1", Text(Codec.EncodeReturn(0.1f)));
        Assert.Equal("1.5e+21", Text(Codec.EncodeReturn(1.5e21f)));
        Assert.Equal("3.4028235e+38", Text(Codec.EncodeReturn(float.MaxValue)));
        Assert.Equal("1e-7", Text(Codec.EncodeReturn(1e-7f)));
        Assert.Equal("0", Text(Codec.EncodeReturn(-0f)));
        Assert.Equal("16777216", Text(Codec.EncodeReturn(16777216f)));
        // The shortest digits that read back as the same Half (as the serializer writes them), not those of the double.
        Assert.Equal("65500", Text(Codec.EncodeReturn(Half.MaxValue)));
        Assert.Equal(Half.MaxValue, Codec.DecodeReturn<Half>("t", Codec.EncodeReturn(Half.MaxValue)));
        Assert.Equal("0.1", Text(Codec.EncodeReturn((Half)0.1)));
        var typed = Codec.EncodeCall("t", new SingleArgs(0.1f, (Half)(-2.5)));
        Assert.Equal("""[{"f":0.1,"h":-2.5}]""", Text(typed.Payload));
        Assert.Equal(typed.CallHash, Codec.EncodeCall("t", new JsonObject { ["f"] = 0.1f, ["h"] = JsonValue.Create((Half)(-2.5)) }).CallHash);
    }

    [Fact]
    public void Number_nodes_with_a_fraction_or_an_exponent_are_written_as_javascript_reads_and_writes_them_and_integers_exactly()
    {
        // node: JSON.stringify(JSON.parse(...)) for all but the integers, which JavaScript would round (decision: exact).
        var parsed = JsonNode.Parse("[1.5E21,3.0,1E3,-0.0,-0,0.10,-5,1e-7,2.50,1.0e+2,0.000001,1e-6,1.7976931348623157e308,123.4500,123456789012345678901234567890]");
        Assert.Equal(
            "[1.5e+21,3,1000,0,0,0.1,-5,1e-7,2.5,100,0.000001,0.000001,1.7976931348623157e+308,123.45,123456789012345678901234567890]",
            Text(JsonCodec.ToCanonicalJson(parsed)));
    }

    [Fact]
    public void A_number_node_beyond_the_range_of_a_double_is_refused()
    {
        Assert.Throws<ArgumentException>(() => JsonCodec.ToCanonicalJson(JsonNode.Parse("[1e400]")));
        Assert.Throws<ArgumentException>(() => Codec.EncodeCall("t", JsonNode.Parse("""{"x":-1e400}""")!.AsObject()));
        Assert.Throws<ArgumentException>(() => Codec.EncodeCall("t", new DoubleArgs(double.PositiveInfinity)));
    }

    [Fact]
    public void Decimals_are_written_as_the_javascript_number_they_read_as_on_either_path()
    {
        Assert.False(Codec.WritesDirectly<DecimalArgs>());
        Assert.Equal("""[{"price":1.5}]""", Text(Codec.EncodeCall("t", new DecimalArgs(1.50m)).Payload));
        Assert.Equal("""[{"price":1.5}]""", Text(Codec.EncodeCall("t", new JsonObject { ["price"] = 1.50m }).Payload));
        Assert.Equal("3", Text(Codec.EncodeReturn(3.0m)));
    }

    [Fact]
    public void Integers_are_still_written_in_plain_digits()
    {
        Assert.Equal("9223372036854775807", Text(Codec.EncodeReturn(long.MaxValue)));
        Assert.Equal("18446744073709551615", Text(Codec.EncodeReturn(ulong.MaxValue)));
        Assert.Equal("""[{"n":-2147483648}]""", Text(Codec.EncodeCall("t", new IntArgs(int.MinValue)).Payload));
        Assert.Equal("""[{"b":-128,"s":-32768,"u":65535,"ub":255,"ui":4294967295,"ul":18446744073709551615}]""",
            Text(Codec.EncodeCall("t", new SmallArgs(short.MinValue, ushort.MaxValue, sbyte.MinValue, byte.MaxValue, uint.MaxValue, ulong.MaxValue)).Payload));
    }

    [Fact]
    public void Integer_dictionary_keys_and_nullable_integers_still_round_trip()
    {
        var bytes = Codec.EncodeReturn(new Dictionary<int, long?> { [2] = null, [-1] = 7 });
        Assert.Equal("""{"-1":7,"2":null}""", Text(bytes));
        Assert.Equal(new Dictionary<int, long?> { [2] = null, [-1] = 7 }, Codec.DecodeReturn<Dictionary<int, long?>>("t", bytes));
        Assert.Equal(1000L, Codec.DecodeReturn<long?>("t", Utf8("1e3")));
    }

    [Theory]
    [InlineData("1e3", 1000)]
    [InlineData("1E3", 1000)]
    [InlineData("3.0", 3)]
    [InlineData("1.5e+3", 1500)]
    [InlineData("100e-2", 1)]
    [InlineData("-0.0", 0)]
    [InlineData("0e999999999999", 0)]
    [InlineData("2.147483647e9", int.MaxValue)]
    [InlineData("-2.147483648e+9", int.MinValue)]
    [InlineData("\"1e3\"", 1000)]
    public void Int_arguments_and_results_read_whole_numbers_in_exponent_or_fraction_form(string number, int expected)
    {
        Assert.Equal(expected, Codec.DecodeArgs<IntArgs>(CallOf($"[{{\"n\":{number}}}]")).N);
        Assert.Equal(expected, Codec.DecodeReturn<int>("fib", Utf8(number)));
    }

    [Fact]
    public void Long_and_big_integer_arguments_and_results_read_what_a_javascript_worker_writes_exactly()
    {
        // The TypeScript demo stores fib(110) as this double; its decimal value as written is read, not the double's.
        var fib110 = BigInteger.Parse("43566776258854860000000", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(fib110, Codec.DecodeReturn<BigInteger>("fib", Utf8("4.356677625885486e+22")));
        Assert.Equal(fib110, Codec.DecodeArgs<BigArgs>(CallOf("""[{"n":4.356677625885486e+22}]""")).N);
        Assert.Equal(BigInteger.Pow(10, 21) * 3 / 2, Codec.DecodeReturn<BigInteger>("fib", Utf8("1.5e+21")));
        Assert.Equal(-BigInteger.Pow(10, 400), Codec.DecodeReturn<BigInteger>("fib", Utf8("-1e400")));
        Assert.Equal(8944394323791464L, Codec.DecodeReturn<long>("fib", Utf8("8.944394323791464e+15")));
        Assert.Equal(8944394323791464L, Codec.DecodeArgs<LongArgs>(CallOf("""[{"n":8.944394323791464e15}]""")).N);
        Assert.Equal(1_000_000_000_000_000_000L, Codec.DecodeReturn<long>("fib", Utf8("1e+18")));
        Assert.Equal(long.MinValue, Codec.DecodeReturn<long>("fib", Utf8("-9.223372036854775808e18")));
        var small = Codec.DecodeArgs<SmallArgs>(CallOf("""[{"s":-3.2768e4,"u":6.5535e4,"b":-1.28e2,"ub":2.55e2,"ui":4.294967295e9,"ul":1.8446744073709551615e19}]"""));
        Assert.Equal(new SmallArgs(short.MinValue, ushort.MaxValue, sbyte.MinValue, byte.MaxValue, uint.MaxValue, ulong.MaxValue), small);
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("1.5e0")]
    [InlineData("1e-400")]
    [InlineData("123456789.0000001")]
    public void A_number_that_is_not_whole_fails_with_a_protocol_error_naming_the_call(string number)
    {
        var call = new Call("fib", Utf8($"[{{\"n\":{number}}}]"), "c4llh4sh");
        var error = Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<IntArgs>(call));
        Assert.Contains("fib/c4llh4sh", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a whole number", error.Message, StringComparison.Ordinal);
        Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<BigArgs>(call));
        var stored = Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<long>("fib", Utf8(number)));
        Assert.Contains("'fib'", stored.Message, StringComparison.Ordinal);
        Assert.Contains("not a whole number", stored.Message, StringComparison.Ordinal);
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<BigInteger>("fib", Utf8(number)));
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("2.147483648e9")]
    [InlineData("-2.147483649e+9")]
    [InlineData("1e10")]
    [InlineData("4.356677625885486e+22")]
    [InlineData("1e999999999999")]
    public void A_whole_number_out_of_range_fails_with_a_protocol_error_naming_the_call(string number)
    {
        var call = new Call("fib", Utf8($"[{{\"n\":{number}}}]"), "c4llh4sh");
        var error = Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<IntArgs>(call));
        Assert.Contains("fib/c4llh4sh", error.Message, StringComparison.Ordinal);
        var stored = Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<int>("fib", Utf8(number)));
        Assert.Contains("'fib'", stored.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Whole_numbers_out_of_range_of_the_smaller_types_fail_with_a_protocol_error()
    {
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<long>("fib", Utf8("9.223372036854775808e18")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<ulong>("fib", Utf8("1.8446744073709552e+19")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<ulong>("fib", Utf8("-1e0")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<short>("fib", Utf8("3.2768e4")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<byte>("fib", Utf8("2.56e2")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<BigInteger>("fib", Utf8("1e20000")));
    }
}

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>QObject</name>
    <message>
        <location filename="../gui/Charts.cpp" line="68"/>
        <source>Save chart as PNG or PDF...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/Charts.cpp" line="69"/>
        <source>Reset zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/Charts.cpp" line="72"/>
        <source>Save chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/Charts.cpp" line="73"/>
        <source>PNG image (*.png);;PDF document (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="31"/>
        <source>ETA %1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="32"/>
        <source>ETA %1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="33"/>
        <source>ETA %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="38"/>
        <source>Building the models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="39"/>
        <source>Training ORIGINAL (FP32)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="40"/>
        <source>Training MODIFIED (FP32)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="41"/>
        <source>Post-training quantization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="42"/>
        <source>Quantization-aware training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="43"/>
        <source>Measuring size and latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="44"/>
        <source>Writing the report</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>phinet::gui::BarChart</name>
    <message>
        <location filename="../gui/Charts.cpp" line="162"/>
        <source> (p90 %1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>phinet::gui::LogPane</name>
    <message>
        <location filename="../gui/LogPane.cpp" line="52"/>
        <source>Show:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/LogPane.cpp" line="55"/>
        <source>Debug and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/LogPane.cpp" line="56"/>
        <source>Info and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/LogPane.cpp" line="57"/>
        <source>Warnings and errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/LogPane.cpp" line="58"/>
        <source>Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/LogPane.cpp" line="62"/>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>phinet::gui::MainWindow</name>
    <message>
        <location filename="../gui/MainWindow.cpp" line="26"/>
        <source>PhiNet Quantization Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="31"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="32"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="44"/>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="54"/>
        <source>%1 params, %2 MACs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="57"/>
        <source>Invalid model configuration: see the flagged fields</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="90"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="91"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="94"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="95"/>
        <source>&amp;About</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="96"/>
        <source>About PhiNet Quantization Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="97"/>
        <source>&lt;b&gt;PhiNet Quantization Workbench&lt;/b&gt; %1&lt;br&gt;Build PhiNet networks, train them, quantize them to INT8 and measure what that buys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="106"/>
        <source>A run is in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/MainWindow.cpp" line="107"/>
        <source>Cancel the run and quit? Finished stages are kept; running the same preset into the same folder resumes it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>phinet::gui::ModelPage</name>
    <message>
        <location filename="../gui/ModelPage.cpp" line="62"/>
        <source>Input tensor shape: channels, height, width (e.g. 1,28,28 for MNIST, 3,32,32 for CIFAR-10)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="64"/>
        <source>Width multiplier: scales every channel count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="66"/>
        <source>Shape factor: the last block expands by t0 x beta, the first by about t0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="68"/>
        <source>Base expansion factor of the inverted-bottleneck blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="70"/>
        <source>Number of expanding blocks N (blocks 1 to 3 are always built)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="74"/>
        <source>Original (micromind 0.0.5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="75"/>
        <source>Modified (quantization-friendly)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="76"/>
        <source>Modified, early (sweep plots)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="78"/>
        <source>Channel divisor of the modified variant: widths rounded to multiples of it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="80"/>
        <source>BatchNorm momentum in PyTorch&apos;s meaning. PhiNet&apos;s 0.999 makes running statistics follow the last training batch; 0.1 is PyTorch&apos;s usual value.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="82"/>
        <source>Input shape (C,H,W)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="83"/>
        <source>Alpha (width)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="84"/>
        <source>Beta (shape)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="85"/>
        <source>t0 (expansion)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="86"/>
        <source>Blocks N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="87"/>
        <source>Classes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="88"/>
        <source>Variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="89"/>
        <source>Divisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="90"/>
        <source>BN momentum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="92"/>
        <source>PhiNet configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="109"/>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="109"/>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="109"/>
        <source>In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="109"/>
        <source>Expanded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="109"/>
        <source>SE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="109"/>
        <source>Out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="110"/>
        <source>k</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="110"/>
        <source>Stride</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="110"/>
        <source>t</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="110"/>
        <source>Spatial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="110"/>
        <source>Params</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="110"/>
        <source>MACs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="111"/>
        <source>Output (INT8)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="111"/>
        <source>Peak RAM (FP32)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="241"/>
        <source>Valid configuration.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/ModelPage.cpp" line="242"/>
        <source>&lt;b&gt;Params&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;MACs&lt;/b&gt; %2&lt;br&gt;&lt;b&gt;Flash&lt;/b&gt; FP32 %3, INT8 %4&lt;br&gt;&lt;b&gt;Peak RAM&lt;/b&gt; FP32 %5, INT8 %6&lt;br&gt;&lt;small&gt;peak at %7; batch 1, BN folded&lt;/small&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>phinet::gui::RunPage</name>
    <message>
        <location filename="../gui/RunPage.cpp" line="59"/>
        <source>Browse...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="60"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="63"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="66"/>
        <source>Export CSV...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="73"/>
        <source>Ready: pick a preset and press Run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="80"/>
        <source>Preset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="84"/>
        <source>Output folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="95"/>
        <source>Training loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="95"/>
        <source>batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="95"/>
        <source>loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="97"/>
        <source>Test accuracy per epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="97"/>
        <source>epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="97"/>
        <source>accuracy (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="99"/>
        <source>Model size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="99"/>
        <source>MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="101"/>
        <source>CPU latency, batch 1 (median, p90 whisker)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="101"/>
        <source>ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="113"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="113"/>
        <source>Variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="113"/>
        <source>Precision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="113"/>
        <source>Params</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="113"/>
        <source>MACs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="113"/>
        <source>Accuracy (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="114"/>
        <source>Size (MiB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="114"/>
        <source>CPU latency (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="114"/>
        <source>p90 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="114"/>
        <source>GPU latency (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="115"/>
        <source>Train time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="145"/>
        <source>Output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="151"/>
        <source>Export results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="152"/>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="157"/>
        <source>No presets found.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="170"/>
        <source>Presets could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="223"/>
        <source>Choose a preset first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="227"/>
        <source>Cannot run: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="242"/>
        <source>Starting...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="251"/>
        <source>Cancelling after the current batch...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="266"/>
        <source>%1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="269"/>
        <source>%1: epoch %2/%3, batch %4/%5  %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="281"/>
        <source>QAT fake-quant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="282"/>
        <source>QAT converted INT8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="305"/>
        <source>n/a</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="330"/>
        <source>Finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="331"/>
        <source>Results written to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="333"/>
        <source>Cancelled. Run again with the same output folder to resume.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="335"/>
        <source>Failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="345"/>
        <source>Exported %1 rows to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../gui/RunPage.cpp" line="348"/>
        <source>Export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
